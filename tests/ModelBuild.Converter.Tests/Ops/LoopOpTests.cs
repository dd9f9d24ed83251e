using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Converter.Tests.Infrastructure.Subgraphs;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// Loop → MNN While (body_graph only, upstream's ONNX form), compared with ONNX Runtime: run-time trip counts and
/// conditions, scan outputs, enclosing-scope values, a data-dependent while-loop (no M, or PyTorch's INT64_MAX),
/// a loop value that grows every iteration, nested loops.
/// </summary>
[TestClass]
public sealed class LoopOpTests : OpTestBase
{
    private static readonly long[] Scalar = [];
    private static readonly object?[] NoDims = [];

    /// <summary>acc += x · i (x read from the enclosing graph); scan output tanh(acc) per iteration.</summary>
    private static ModelProto AccumulateModel(bool withScan)
    {
        var body = Body(b =>
        {
            b.Input("i", IrDataType.Int64, NoDims).Input("c", IrDataType.Bool, NoDims).Input("acc", IrDataType.Float, 2, 3)
                .Node("Cast", ["i"], ["fi"], attrs: a => a.Int("to", (long)TensorProto.Types.DataType.Float))
                .Node("Mul", ["x", "fi"], ["xi"])
                .Node("Add", ["acc", "xi"], ["acc_next"])
                .Node("Identity", ["c"], ["c_next"])
                .Output("c_next", IrDataType.Bool).Output("acc_next", IrDataType.Float, 2, 3);
            if (withScan)
            {
                b.Node("Tanh", ["acc_next"], ["t"]).Output("t", IrDataType.Float, 2, 3);
            }
        });
        var m = new OnnxModelBuilder(13).Input("m", IrDataType.Int64).Input("cond", IrDataType.Bool).Input("x", IrDataType.Float, 2, 3)
            .Initializer("acc0", TestTensors.Random(7, [2L, 3]), 2, 3)
            .Node("Loop", ["m", "cond", "acc0"], withScan ? ["acc", "scan"] : ["acc"], name: "accumulate", attrs: a => a.Graph("body", body))
            .Output("acc", IrDataType.Float, 2, 3);
        return (withScan ? m.Output("scan", IrDataType.Float, "n", 2, 3) : m).Build();
    }

    private static Dictionary<string, TestInput> AccumulateInputs(long m, long cond) => new()
    {
        ["m"] = (new[] { m }, Scalar),
        ["cond"] = (new[] { cond }, Scalar),
        ["x"] = (TestTensors.Random(3, [2L, 3]), new long[] { 2, 3 }),
    };

    [TestMethod]
    [DataRow(1L)]
    [DataRow(5L)]
    public void RunTimeTripCountWithScanOutput(long m)
    {
        var result = AssertMatchesOnnxRuntime(AccumulateModel(withScan: true), AccumulateInputs(m, 1));
        var loop = result.Net.Oplists.Single(o => o.Type == OpType.While);
        var p = loop.Main.AsWhileParam();
        Assert.IsNull(p.CondGraph, "ONNX form: body_graph only");
        var body = result.Net.Subgraphs.Single(g => g.Name == p.BodyGraph);
        // Inputs [M, cond, acc, x]; outputs [acc, x pass-through, scan]; body outputs [cond, acc, x, scan element].
        Assert.HasCount(4, loop.InputIndexes);
        Assert.HasCount(3, loop.OutputIndexes);
        Assert.HasCount(4, body.Inputs);
        Assert.HasCount(4, body.Outputs);
        Assert.AreEqual(body.Inputs[3], body.Outputs[2], "an enclosing-scope value is passed through the body");
    }

    [TestMethod]
    [DataRow(0L, 1L)]
    [DataRow(3L, 0L)]
    [DataRow(3L, 1L)]
    public void ZeroIterationsKeepTheInitialValues(long m, long cond) =>
        AssertMatchesOnnxRuntime(AccumulateModel(withScan: false), AccumulateInputs(m, cond));

    /// <summary>while (v &lt; limit) v = v * 1.5 + 0.25: a loop whose length depends on the data.</summary>
    private static ModelProto WhileModel(bool int64MaxTripCount)
    {
        var body = Body(b => b.Input("i", IrDataType.Int64, NoDims).Input("c", IrDataType.Bool, NoDims).Input("v", IrDataType.Float, 1)
            .Initializer("k", new[] { 1.5f }, 1).Initializer("d", new[] { 0.25f }, 1)
            .Node("Mul", ["v", "k"], ["vk"]).Node("Add", ["vk", "d"], ["v_next"])
            .Node("Less", ["v_next", "limit"], ["go_on"])
            .Output("go_on", IrDataType.Bool).Output("v_next", IrDataType.Float, 1).Output("v_next_copy", IrDataType.Float, 1)
            .Node("Identity", ["v_next"], ["v_next_copy"]));
        var b = new OnnxModelBuilder(13).Input("v0", IrDataType.Float, 1).Input("limit", IrDataType.Float, 1)
            .Initializer("go", new long[] { 1 }).Node("Cast", ["go"], ["start"], attrs: a => a.Int("to", (long)TensorProto.Types.DataType.Bool));
        if (int64MaxTripCount)
        {
            b.Initializer("max", new[] { long.MaxValue }).Node("Loop", ["max", "start", "v0"], ["v", "trace"], attrs: a => a.Graph("body", body));
        }
        else
        {
            b.Node("Loop", ["", "start", "v0"], ["v", "trace"], attrs: a => a.Graph("body", body));
        }

        return b.Output("v", IrDataType.Float, 1).Output("trace", IrDataType.Float, "n", 1).Build();
    }

    [TestMethod]
    [DataRow(false, 10f)]
    [DataRow(true, 10f)]
    [DataRow(false, 1000f)]
    public void DataDependentWhileLoop(bool int64MaxTripCount, float limit)
    {
        var result = AssertMatchesOnnxRuntime(WhileModel(int64MaxTripCount), new Dictionary<string, TestInput>
        {
            ["v0"] = (new[] { 0.5f }, new long[] { 1 }),
            ["limit"] = (new[] { limit }, new long[] { 1 }),
        });
        Assert.AreEqual(1, result.Net.Oplists.Count(o => o.Type == OpType.While), Describe(result));
    }

    /// <summary>acc = Concat(acc, x) each iteration: the loop value's size changes, so no first-iteration dims may be folded.</summary>
    [TestMethod]
    public void LoopValueThatGrowsEveryIteration()
    {
        var body = Body(b => b.Input("i", IrDataType.Int64, NoDims).Input("c", IrDataType.Bool, NoDims).Input("acc", IrDataType.Float)
            .Node("Concat", ["acc", "x"], ["grown"], attrs: a => a.Int("axis", 0))
            .Node("Shape", ["grown"], ["s"])
            .Node("Identity", ["c"], ["c_next"])
            .Output("c_next", IrDataType.Bool).Output("grown", IrDataType.Float).Output("s", IrDataType.Int64));
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 1, 3).Input("m", IrDataType.Int64)
            .Node("Identity", ["x"], ["acc0"])
            .Node("Loop", ["m", "", "acc0"], ["acc", "shapes"], attrs: a => a.Graph("body", body))
            .Output("acc", IrDataType.Float).Output("shapes", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(5, [1L, 3]), new long[] { 1, 3 }),
            ["m"] = (new[] { 4L }, Scalar),
        });
    }

    /// <summary>for i &lt; m: for j &lt; i + 1: acc += x · (j + 1) — the inner trip count comes from the outer iteration.</summary>
    [TestMethod]
    public void NestedLoops()
    {
        var inner = Body(b => b.Input("j", IrDataType.Int64, NoDims).Input("c", IrDataType.Bool, NoDims).Input("a", IrDataType.Float, 3)
            .Initializer("one", new long[] { 1 })
            .Node("Add", ["j", "one"], ["j1"])
            .Node("Cast", ["j1"], ["fj"], attrs: a => a.Int("to", (long)TensorProto.Types.DataType.Float))
            .Node("Mul", ["x", "fj"], ["xj"]).Node("Add", ["a", "xj"], ["a_next"]).Node("Identity", ["c"], ["c_inner"])
            .Output("c_inner", IrDataType.Bool).Output("a_next", IrDataType.Float, 3));
        var outer = Body(b => b.Input("i", IrDataType.Int64, NoDims).Input("c", IrDataType.Bool, NoDims).Input("acc", IrDataType.Float, 3)
            .Initializer("one_i", new long[] { 1 })
            .Node("Add", ["i", "one_i"], ["trips"])
            .Node("Loop", ["trips", "", "acc"], ["acc_next"], attrs: a => a.Graph("body", inner))
            .Node("Identity", ["c"], ["c_next"])
            .Output("c_next", IrDataType.Bool).Output("acc_next", IrDataType.Float, 3));
        var model = new OnnxModelBuilder(13).Input("x", IrDataType.Float, 3).Input("m", IrDataType.Int64)
            .Initializer("zero", new float[3], 3)
            .Node("Loop", ["m", "", "zero"], ["acc"], attrs: a => a.Graph("body", outer))
            .Output("acc", IrDataType.Float, 3).Build();
        var result = AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["x"] = (TestTensors.Random(9, [3L]), new long[] { 3 }),
            ["m"] = (new[] { 3L }, Scalar),
        });
        Assert.HasCount(2, result.Net.Subgraphs, "the inner body is listed in Net.subgraphs too");
    }

    [TestMethod]
    public void BodyOutputCountMismatchIsRejected()
    {
        var body = Body(b => b.Input("i", IrDataType.Int64, NoDims).Input("c", IrDataType.Bool, NoDims).Input("v", IrDataType.Float, 1)
            .Node("Identity", ["c"], ["c_next"]).Output("c_next", IrDataType.Bool));
        var model = new OnnxModelBuilder(13).Input("v0", IrDataType.Float, 1).Input("m", IrDataType.Int64)
            .Node("Loop", ["m", "", "v0"], ["v"], name: "broken", attrs: a => a.Graph("body", body))
            .Output("v", IrDataType.Float, 1).Build();
        var e = AssertCode.Throws("MB1008", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, "broken");
    }
}
