using System.Globalization;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Parity.Candidate;
using ModelBuild.Converter.Parity.Inputs;
using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Converter.Parity.Reference;
using ModelBuild.Runtime.Kernels;
using Attribute = ModelBuild.Converter.Graph.Attribute;

namespace ModelBuild.Converter.Parity.Localization;

/// <summary>
/// Finds the first node (topological order) whose output diverges while its inputs agree. Comparable values are
/// float node outputs that exist on both sides (the converter's name table). Our runtime gives every one in a
/// single observed run; the reference exposes them as extra ONNX Runtime outputs: all at once for small graphs,
/// otherwise by narrowing with evenly spaced probes (≤ <see cref="ProbeWidth"/> values per run), so a graph with
/// thousands of values needs only a handful of reference runs.
/// </summary>
public sealed class DivergenceLocalizer
{
    /// <summary>Graphs with more comparable values than this are narrowed by probes first.</summary>
    public const int DirectLimit = 64;

    public const int ProbeWidth = 16;

    private readonly ModelGraph _graph;
    private readonly OnnxReference _reference;
    private readonly CandidateModel _candidate;
    private readonly ParityThresholds _thresholds;
    private readonly ModelBuild.Runtime.SessionPrecision _precision;

    /// <summary>Compares the candidate, computed with <paramref name="precision"/> (float32, or an emulated device precision for check --emulate), against the reference.</summary>
    public DivergenceLocalizer(ModelGraph graph, OnnxReference reference, CandidateModel candidate, ParityThresholds thresholds,
        ModelBuild.Runtime.SessionPrecision precision = ModelBuild.Runtime.SessionPrecision.Float32)
    {
        _precision = precision;
        _graph = graph;
        _reference = reference;
        _candidate = candidate;
        _thresholds = thresholds;
    }

    public LocalizationResult Localize(ParitySample sample, string output, IsaLevel isa)
    {
        var result = new LocalizationResult { Output = output, SampleId = sample.Id };
        var producers = new Dictionary<string, Node>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var n in _graph.Nodes)
        {
            foreach (var o in n.Outputs.Where(o => o.Length > 0))
            {
                producers[o] = n;
                if (IsComparable(o))
                {
                    order.Add(o);
                }
            }
        }

        result.ComparableValues = order.Count;
        if (order.Count == 0)
        {
            result.Note = "no intermediate value exists under the same name in both models";
            return result;
        }

        var candidateValues = _candidate.Run(sample, isa, [output], order, _precision);
        var runsBefore = _reference.Runs;
        var verdicts = new Dictionary<string, TensorMetrics>(StringComparer.Ordinal);

        bool Diverges(string v) => verdicts.TryGetValue(v, out var m) && !m.Passes(_thresholds);

        void Probe(IEnumerable<string> values)
        {
            var wanted = values.Where(v => !verdicts.ContainsKey(v) && candidateValues.ContainsKey(v)).ToArray();
            if (wanted.Length == 0)
            {
                return;
            }

            var reference = _reference.Run(sample, wanted);
            foreach (var v in wanted)
            {
                if (reference.TryGetValue(v, out var r))
                {
                    verdicts[v] = TensorComparer.Compare(r, candidateValues[v], _thresholds);
                }
            }
        }

        // narrow [lo, hi] to at most DirectLimit values, assuming divergence persists downstream
        int lo = 0, hi = order.Count - 1;
        while (hi - lo + 1 > DirectLimit)
        {
            var step = (hi - lo + 1) / (double)(ProbeWidth + 1);
            var probes = Enumerable.Range(1, ProbeWidth).Select(k => lo + (int)Math.Round(k * step)).Where(i => i <= hi).Distinct().ToList();
            Probe(probes.Select(i => order[i]));
            var first = probes.FirstOrDefault(i => Diverges(order[i]), -1);
            var lastAgreeing = probes.Where(i => i < (first < 0 ? int.MaxValue : first) && verdicts.ContainsKey(order[i])).DefaultIfEmpty(lo - 1).Max();
            var newLo = Math.Max(lo, lastAgreeing + 1);
            var newHi = first < 0 ? hi : first;
            if (newHi - newLo >= hi - lo)
            {
                break; // no progress (values missing on one side): compare the window directly
            }

            (lo, hi) = (newLo, newHi);
        }

        Probe(order.Skip(lo).Take(hi - lo + 1));
        var found = order.Skip(lo).Take(hi - lo + 1).FirstOrDefault(Diverges);
        if (found is null)
        {
            // the window assumption failed (divergence healed); check everything once
            Probe(order);
            found = order.FirstOrDefault(Diverges);
        }

        result.ReferenceRuns = _reference.Runs - runsBefore;
        if (found is null)
        {
            result.Note = $"all {order.Count} comparable intermediate values agree within limits; the divergence arises in values without a counterpart in the converted model";
            return result;
        }

        var node = producers[found];
        var culprit = Describe(result, node, found, verdicts[found]);
        var inputs = CollectInputs(node, producers, culprit);
        Probe(inputs);
        foreach (var i in inputs)
        {
            if (verdicts.TryGetValue(i, out var m))
            {
                result.InputMetrics[i] = m;
            }
        }

        result.Found = true;
        return result;
    }

    private Node Describe(LocalizationResult result, Node node, string value, TensorMetrics metrics)
    {
        // walk back through producers whose outputs have no MNN tensor (fused into this op): the earliest is the
        // most likely origin, and is reported as the node; the others are listed
        var fused = FusedChain(node);
        var culprit = fused.Count > 0 ? fused[0] : node;
        foreach (var f in fused.Skip(1).Append(node).Where(n => n != culprit))
        {
            result.FusedNodes.Add($"{f.OpType} '{f.Name}'");
        }

        result.Value = value;
        result.NodeName = culprit.Name;
        result.OpType = culprit.OpType;
        result.Metrics = metrics;
        result.Failure = metrics.DescribeFailure(_thresholds);
        foreach (var (name, attr) in culprit.Attributes)
        {
            result.Attributes[name] = FormatAttribute(attr);
        }

        return culprit;
    }

    /// <summary>Non-constant producers feeding <paramref name="node"/> whose outputs are not comparable, earliest first.</summary>
    private List<Node> FusedChain(Node node)
    {
        var chain = new List<Node>();
        var seen = new HashSet<Node>();
        var stack = new Stack<Node>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            foreach (var input in n.Inputs.Where(i => i.Length > 0))
            {
                if (IsComparable(input) || (_graph.Values.TryGetValue(input, out var v) && (v.IsConstant || !IsFloatOrUnknown(v.Type))))
                {
                    continue;
                }

                var producer = _graph.Nodes.FirstOrDefault(p => p.Outputs.Contains(input));
                if (producer is not null && seen.Add(producer))
                {
                    chain.Add(producer);
                    stack.Push(producer);
                }
            }
        }

        var index = _graph.Nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        chain.Sort((a, b) => index[a].CompareTo(index[b]));
        return chain;
    }

    private List<string> CollectInputs(Node node, Dictionary<string, Node> producers, Node culprit)
    {
        var inputs = new List<string>();
        foreach (var n in new[] { culprit, node }.Distinct())
        {
            inputs.AddRange(n.Inputs.Where(IsComparable));
        }

        return inputs.Distinct().ToList();
    }

    private static bool IsFloatOrUnknown(DataType t) => t is DataType.Float or DataType.Float16 or DataType.Double or DataType.BFloat16 or DataType.Undefined;

    private bool IsComparable(string value) =>
        _candidate.TensorNames.ContainsKey(value)
        && _reference.NodeOutputs.Contains(value)
        && (!_graph.Values.TryGetValue(value, out var v) || (!v.IsConstant && IsFloatOrUnknown(v.Type)));

    /// <summary>Floats print as the shortest text that reads back to the same float: exact, and 0.01 not 0.00999999978.</summary>
    internal static string FormatAttribute(Attribute a) => a.Kind switch
    {
        AttributeKind.Float => a.Float.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Int => a.Int.ToString(CultureInfo.InvariantCulture),
        AttributeKind.String => a.String ?? "",
        AttributeKind.Floats => "[" + string.Join(",", (a.Floats ?? []).Select(f => f.ToString(CultureInfo.InvariantCulture))) + "]",
        AttributeKind.Ints => "[" + string.Join(",", a.Ints ?? []) + "]",
        AttributeKind.Strings => "[" + string.Join(",", a.Strings ?? []) + "]",
        AttributeKind.Tensor => a.Tensor is { } t ? $"tensor {t.Type}[{string.Join(",", t.Shape)}]" : "tensor",
        _ => a.Kind.ToString().ToLowerInvariant(),
    };
}
