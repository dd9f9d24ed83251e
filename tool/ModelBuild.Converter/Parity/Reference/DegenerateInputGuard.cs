using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Parity.Reference;

/// <summary>A normalization node whose input has (almost) no variance in some group of one sample.</summary>
public sealed record DegenerateFinding(
    string NodeName,
    string OpType,
    string InputName,
    double Epsilon,
    double MinVariance,
    int DegenerateGroups,
    int TotalGroups,
    IReadOnlyList<long> Channels)
{
    public string Describe() =>
        $"{OpType} node '{NodeName}': input '{InputName}' has variance {MinVariance:G3} < 10·epsilon ({Epsilon:G3}) in {DegenerateGroups} of {TotalGroups} groups (channels {FormatChannels(Channels)}); the output is decided by epsilon, not by the data";

    private static string FormatChannels(IReadOnlyList<long> channels) =>
        channels.Count <= 8 ? string.Join(",", channels) : string.Join(",", channels.Take(8)) + $",… ({channels.Count} channels)";
}

/// <summary>
/// Finds samples on which a normalization divides by sqrt(var + epsilon) with var ≈ 0: there the output is
/// governed by epsilon, which implementations treat slightly differently (and compute var with different rounding),
/// so a comparison would cry wolf. Checked: InstanceNormalization (per N,C over spatial axes), LayerNormalization
/// (over axes ≥ axis), BatchNormalization (per channel over the sample, as training-free statistics) and
/// MeanVarianceNormalization (over its axes).
/// </summary>
public sealed class DegenerateInputGuard
{
    /// <summary>var &lt; Factor·epsilon marks the sample ill-conditioned.</summary>
    public const double Factor = 10;

    private readonly List<NormNode> _nodes;

    public DegenerateInputGuard(ModelGraph graph)
    {
        _nodes = graph.Nodes.Where(n => n.Domain is "" or "ai.onnx" && n.HasInput(0) && IsNormalization(n.OpType))
            .Select(n => new NormNode(n, n.Inputs[0], Epsilon(n))).ToList();
    }

    /// <summary>Values the guard needs from the reference run (inputs of normalization nodes).</summary>
    public IReadOnlyList<string> WatchedValues => _nodes.Select(n => n.Input).Distinct().ToArray();

    public bool HasNormalizations => _nodes.Count > 0;

    public static bool IsNormalization(string opType) =>
        opType is "InstanceNormalization" or "LayerNormalization" or "BatchNormalization" or "MeanVarianceNormalization";

    /// <summary>Checks one sample given every watched value (graph inputs or reference intermediates).</summary>
    public List<DegenerateFinding> Check(Func<string, TensorData?> lookup)
    {
        var findings = new List<DegenerateFinding>();
        foreach (var norm in _nodes)
        {
            var data = lookup(norm.Input);
            if (data is null || !data.IsFloat || data.Shape.Length < 2)
            {
                continue;
            }

            var reduced = ReducedAxes(norm.Node, data.Shape.Length);
            if (reduced.Length == 0)
            {
                continue;
            }

            var finding = Inspect(norm, data, reduced);
            if (finding is not null)
            {
                findings.Add(finding);
            }
        }

        return findings;
    }

    private static DegenerateFinding? Inspect(NormNode norm, TensorData data, int[] reducedAxes)
    {
        var shape = data.Shape;
        var rank = shape.Length;
        var isReduced = new bool[rank];
        foreach (var a in reducedAxes)
        {
            isReduced[a] = true;
        }

        // group index = row-major index over the kept axes
        var groupStrides = new long[rank];
        long groups = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            if (!isReduced[d])
            {
                groupStrides[d] = groups;
                groups *= shape[d];
            }
        }

        if (groups == 0 || groups > 1 << 24)
        {
            return null;
        }

        var sum = new double[groups];
        var sum2 = new double[groups];
        var count = new long[groups];
        var floats = data.Floats!;
        var pos = new long[rank];
        for (long i = 0; i < floats.Length; i++)
        {
            long g = 0;
            for (var d = 0; d < rank; d++)
            {
                g += pos[d] * groupStrides[d];
            }

            double v = floats[i];
            sum[g] += v;
            count[g]++;
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++pos[d] < shape[d])
                {
                    break;
                }

                pos[d] = 0;
            }
        }

        // second pass for a numerically sound variance
        Array.Clear(pos);
        var mean = new double[groups];
        for (var g = 0; g < groups; g++)
        {
            mean[g] = count[g] == 0 ? 0 : sum[g] / count[g];
        }

        for (long i = 0; i < floats.Length; i++)
        {
            long g = 0;
            for (var d = 0; d < rank; d++)
            {
                g += pos[d] * groupStrides[d];
            }

            var dv = floats[i] - mean[g];
            sum2[g] += dv * dv;
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++pos[d] < shape[d])
                {
                    break;
                }

                pos[d] = 0;
            }
        }

        var limit = Factor * norm.Epsilon;
        var minVar = double.PositiveInfinity;
        var bad = 0;
        var channels = new SortedSet<long>();
        var channelAxis = ChannelAxis(norm.Node.OpType, isReduced);
        for (var g = 0; g < groups; g++)
        {
            if (count[g] < 2)
            {
                continue;
            }

            var variance = sum2[g] / count[g];
            minVar = Math.Min(minVar, variance);
            if (variance < limit)
            {
                bad++;
                channels.Add(channelAxis >= 0 ? g / groupStrides[channelAxis] % shape[channelAxis] : g);
            }
        }

        return bad == 0
            ? null
            : new DegenerateFinding(norm.Node.Name, norm.Node.OpType, norm.Input, norm.Epsilon, minVar, bad, (int)groups, channels.ToArray());
    }

    /// <summary>The axis reported as "channel": axis 1 when kept (NCHW norms), else the flat group index.</summary>
    private static int ChannelAxis(string opType, bool[] isReduced) =>
        opType is "LayerNormalization" || isReduced.Length < 2 || isReduced[1] ? -1 : 1;

    private static int[] ReducedAxes(Node node, int rank)
    {
        switch (node.OpType)
        {
            case "InstanceNormalization":
                return Enumerable.Range(2, rank - 2).ToArray();
            case "LayerNormalization":
                var axis = (int)node.GetInt("axis", -1);
                axis = axis < 0 ? axis + rank : axis;
                return axis < 0 || axis >= rank ? [] : Enumerable.Range(axis, rank - axis).ToArray();
            case "BatchNormalization":
                return Enumerable.Range(0, rank).Where(a => a != 1).ToArray();
            default:
                var axes = node.GetInts("axes") ?? [0, 2, 3];
                return axes.Select(a => (int)(a < 0 ? a + rank : a)).Where(a => a >= 0 && a < rank).Distinct().ToArray();
        }
    }

    private static double Epsilon(Node node) => node.OpType switch
    {
        // MVN has no epsilon attribute; ONNX Runtime adds 1e-9
        "MeanVarianceNormalization" => 1e-9,
        _ => node.Attributes.TryGetValue("epsilon", out var a) ? a.Float : 1e-5,
    };

    private sealed record NormNode(Node Node, string Input, double Epsilon);
}
