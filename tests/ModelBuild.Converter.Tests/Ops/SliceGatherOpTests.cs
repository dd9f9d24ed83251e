using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

[TestClass]
public sealed class SliceGatherOpTests : OpTestBase
{
    [TestMethod]
    public void SliceAttributesOpset9() =>
        AssertMatchesOnnxRuntime(OpModels.Unary("Slice", [4, 5, 6], 9, a => a.Ints("starts", 1, -4).Ints("ends", 3, 1000).Ints("axes", 0, 2)));

    [TestMethod]
    [DataRow(new long[] { 1, 0 }, new long[] { 3, 5 }, new long[] { 0, 1 }, null)]
    [DataRow(new long[] { -1 }, new long[] { long.MinValue }, new long[] { 2 }, new long[] { -1 })]
    [DataRow(new long[] { 0, 1 }, new long[] { long.MaxValue, 6 }, new long[] { 1, 2 }, new long[] { 2, 2 })]
    [DataRow(new long[] { 4, 5 }, new long[] { 0, 0 }, new long[] { 0, -1 }, new long[] { -2, -2 })]
    public void SliceInputs(long[] starts, long[] ends, long[] axes, long[]? steps)
    {
        var b = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 4, 5, 6)
            .Initializer("starts", starts, starts.Length).Initializer("ends", ends, ends.Length).Initializer("axes", axes, axes.Length);
        var inputs = new List<string> { "x", "starts", "ends", "axes" };
        if (steps is not null)
        {
            b.Initializer("steps", steps, steps.Length);
            inputs.Add("steps");
        }

        AssertMatchesOnnxRuntime(b.Node("Slice", [.. inputs], ["y"]).Output("y", IrDataType.Float).Build());
    }

    [TestMethod]
    public void SliceRuntimeBounds()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 4, 6)
            .Input("starts", IrDataType.Int64, 1).Input("ends", IrDataType.Int64, 1)
            .Initializer("axes", new long[] { 1 }, 1)
            .Node("Slice", ["x", "starts", "ends", "axes"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [4L, 6]), new long[] { 4, 6 }),
            ["starts"] = (new long[] { 1 }, new long[] { 1 }),
            ["ends"] = (new long[] { 5 }, new long[] { 1 }),
        });
    }

    [TestMethod]
    [DataRow(0L, new long[] { 2, 0, -1 }, new long[] { 3 })]
    [DataRow(1L, new long[] { 1, -2, 0, 3 }, new long[] { 2, 2 })]
    [DataRow(-1L, new long[] { 4 }, new long[] { })]
    public void GatherConstantIndices(long axis, long[] indices, long[] indexShape)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 3, 4, 5)
            .Initializer("i", indices, indexShape)
            .Node("Gather", ["x", "i"], ["y"], attrs: a => a.Int("axis", axis))
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void GatherRuntimeNegativeIndices()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 5, 3)
            .Input("i", IrDataType.Int64, 4)
            .Node("Gather", ["x", "i"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [5L, 3]), new long[] { 5, 3 }),
            ["i"] = (new long[] { -1, 0, 4, -5 }, new long[] { 4 }),
        });
    }

    [TestMethod]
    public void GatherSymbolicDimRuntimeIndices()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, "N", 3)
            .Input("i", IrDataType.Int64, 2)
            .Node("Gather", ["x", "i"], ["y"])
            .Output("y", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(1, [6L, 3]), new long[] { 6, 3 }),
            ["i"] = (new long[] { -2, 1 }, new long[] { 2 }),
        });
    }

    [TestMethod]
    [DataRow(11, 1L, new long[] { 2, 4 })]
    [DataRow(13, -1L, new long[] { 1, 2, 3 })]
    [DataRow(13, 0L, null)]
    public void Split(int opset, long axis, long[]? sizes)
    {
        var parts = sizes?.Length ?? 2;
        var outputs = Enumerable.Range(0, parts).Select(i => $"y{i}").ToArray();
        var b = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, 4, 6);
        if (opset >= 13 && sizes is not null)
        {
            b.Initializer("split", sizes, sizes.Length).Node("Split", ["x", "split"], outputs, attrs: a => a.Int("axis", axis));
        }
        else
        {
            b.Node("Split", ["x"], outputs, attrs: a => { a.Int("axis", axis); if (sizes is not null) { a.Ints("split", sizes); } });
        }

        foreach (var o in outputs)
        {
            b.Output(o, IrDataType.Float);
        }

        AssertMatchesOnnxRuntime(b.Build());
    }

    [TestMethod]
    public void SplitNumOutputsOpset18Uneven()
    {
        var b = new OnnxModelBuilder(18).Input("x", IrDataType.Float, 2, 7)
            .Node("Split", ["x"], ["a", "b", "c"], attrs: a => a.Int("axis", 1).Int("num_outputs", 3))
            .Output("a", IrDataType.Float).Output("b", IrDataType.Float).Output("c", IrDataType.Float);
        AssertMatchesOnnxRuntime(b.Build());
    }

    /// <summary>
    /// A split with an empty part is written as one StridedSlice per part: upstream MNN skips every op that has an
    /// empty output, so a multi-output Slice would leave the non-empty parts uncomputed there.
    /// </summary>
    [TestMethod]
    [DataRow(new long[] { 6, 0 })]
    [DataRow(new long[] { 0, 2, 4 })]
    public void SplitWithEmptyPartIsOneStridedSlicePerPart(long[] sizes)
    {
        var outputs = Enumerable.Range(0, sizes.Length).Select(i => $"y{i}").ToArray();
        var b = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 4, 6)
            .Initializer("split", sizes, sizes.Length)
            .Node("Split", ["x", "split"], outputs, attrs: a => a.Int("axis", -1));
        foreach (var o in outputs)
        {
            b.Output(o, IrDataType.Float);
        }

        var result = AssertMatchesOnnxRuntime(b.Build());
        Assert.IsFalse(result.Net.Oplists.Any(o => o.Type == OpType.Slice), Describe(result));
        Assert.HasCount(sizes.Length, result.Net.Oplists.Where(o => o.Type == OpType.StridedSlice), Describe(result));
    }

    [TestMethod]
    [DataRow(0L, false)]
    [DataRow(-1L, false)]
    [DataRow(1L, true)]
    public void GatherElementsWithNegativeIndices(long axis, bool runTimeIndices)
    {
        long[] indices = [2, -1, 0, 1, -3, 2, 0, 1];
        var b = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 3, 4);
        b = runTimeIndices ? b.Input("i", IrDataType.Int64, 2, 4) : b.Initializer("i", indices, 2, 4);
        var model = b.Node("GatherElements", ["x", "i"], ["y"], attrs: a => a.Int("axis", axis)).Output("y", IrDataType.Float, 2, 4).Build();
        var inputs = new Dictionary<string, TestInput> { ["x"] = (TestTensors.Random(3, [3L, 4]), new long[] { 3, 4 }) };
        if (runTimeIndices)
        {
            inputs["i"] = (indices, new long[] { 2, 4 });
        }

        var result = AssertMatchesOnnxRuntime(model, inputs);
        Assert.AreEqual(1, result.Net.Oplists.Count(o => o.Type == OpType.GatherElements), Describe(result));
    }
}
