using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>
/// Files written by upstream MNNConvert (../shared/mnn-upstream): every one must load, and every op type they use
/// must have an executor. Op types owned by the compute executors are reported (Inconclusive) until they exist;
/// any other missing type fails.
/// </summary>
[TestClass]
public sealed class UpstreamModelTests
{
    /// <summary>Op types implemented under Engine/Operators/Compute (another area).</summary>
    private static readonly HashSet<OpType> ComputeOps =
    [
        OpType.Convolution, OpType.ConvolutionDepthwise, OpType.Deconvolution, OpType.DeconvolutionDepthwise,
        OpType.Pooling, OpType.Pooling3D, OpType.BinaryOp, OpType.Eltwise, OpType.UnaryOp, OpType.ReLU, OpType.ReLU6,
        OpType.PReLU, OpType.ELU, OpType.Selu, OpType.Sigmoid, OpType.TanH, OpType.Softmax, OpType.LayerNorm,
        OpType.Scale, OpType.BatchNorm, OpType.InstanceNorm, OpType.MatMul, OpType.BatchMatMul, OpType.InnerProduct,
        OpType.Reduction, OpType.Interp, OpType.LRN, OpType.Normalize, OpType.ArgMax, OpType.Padding,
    ];

    private static IEnumerable<string> ModelFiles()
    {
        string dir = TestPaths.RequireShared("mnn-upstream");
        return Directory.GetDirectories(dir).Select(d => Path.Combine(d, "model.mnn")).Where(File.Exists).OrderBy(p => p, StringComparer.Ordinal);
    }

    [TestMethod]
    public void EveryUpstreamFileLoadsAndItsShapeOpsHaveExecutors()
    {
        var missing = new SortedDictionary<OpType, List<string>>();
        int count = 0;
        foreach (var file in ModelFiles())
        {
            var model = MnnModel.Load(file);
            count++;
            foreach (var op in model.Net.Oplists)
            {
                if (!OperatorRegistry.IsSupported(op.Type))
                {
                    if (!missing.TryGetValue(op.Type, out var list))
                    {
                        missing[op.Type] = list = [];
                    }

                    list.Add(Path.GetFileName(Path.GetDirectoryName(file))!);
                }
            }
        }

        Assert.IsTrue(count > 0, "no model.mnn files found");
        var ours = missing.Where(m => !ComputeOps.Contains(m.Key)).Select(m => $"{m.Key} ({string.Join(",", m.Value.Distinct().Take(3))})").ToList();
        Assert.IsEmpty(ours, "op types without executors: " + string.Join("; ", ours));
        if (missing.Count > 0)
        {
            Assert.Inconclusive("compute op types not implemented yet: " + string.Join(", ", missing.Keys));
        }
    }

    [TestMethod]
    public void EveryUpstreamFileGetsASession()
    {
        var failures = new List<string>();
        var missingOps = new SortedSet<OpType>();
        foreach (var file in ModelFiles())
        {
            var model = MnnModel.Load(file);
            var unsupported = model.Net.Oplists.Select(o => o.Type).Where(t => !OperatorRegistry.IsSupported(t)).ToList();
            if (unsupported.Count > 0)
            {
                missingOps.UnionWith(unsupported);
                continue;
            }

            try
            {
                using var session = new MnnSession(model);
            }
            catch (ModelBuildException e)
            {
                failures.Add($"{file}: {e}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
        if (missingOps.Count > 0)
        {
            Assert.Inconclusive("sessions not created for models using: " + string.Join(", ", missingOps));
        }
    }

    [TestMethod]
    public void PlannedOutputShapesMatchARunOnEveryUpstreamFile()
    {
        var mismatches = new List<string>();
        int planned = 0;
        foreach (var file in ModelFiles())
        {
            var model = MnnModel.Load(file);
            if (model.Net.Oplists.Any(o => !OperatorRegistry.IsSupported(o.Type)) || model.Inputs.Any(i => !i.RankKnown || i.Shape.Any(d => d < 0)))
            {
                continue;
            }

            var described = model.Outputs;
            using var session = new MnnSession(model);
            var inputs = model.Inputs.ToDictionary(i => i.Name, i => new Tensor(i.ElementType, i.Shape.ToArray()));
            try
            {
                session.Run(inputs);
            }
            catch (ModelBuildException)
            {
                continue; // zeros are not valid data for this model; the plan is not checked against a run
            }

            for (int k = 0; k < described.Count; k++)
            {
                if (described[k].RankKnown)
                {
                    planned++;
                    if (described[k].ToString() != session.Outputs[k].ToString())
                    {
                        mismatches.Add($"{file}: planned {described[k]}, run {session.Outputs[k]}");
                    }
                }
            }
        }

        Assert.IsEmpty(mismatches, string.Join("\n", mismatches));
        Assert.IsGreaterThan(0, planned, "no upstream output had a planned shape");
    }
}
