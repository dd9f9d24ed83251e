using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>
/// MNN While in upstream's ONNX form (body_graph only) in the runtime: trip count and condition, loop values, scan
/// outputs stacked on axis 0, body inputs bound in the subgraph's inputs order, coded errors for malformed files.
/// </summary>
[TestClass]
public sealed class WhileSubgraphTests
{
    private static readonly OpParameterUnion Mul = OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.MUL });

    /// <summary>
    /// Body "step": [i, cond, v] → [cond (passed through, or a constant 0 that stops the loop), v·2, v·2 as scan
    /// element]. Its Input ops are declared v first, as upstream writes them; <c>inputs</c> gives the real order.
    /// </summary>
    private static SubGraphProtoT Body(bool stopAfterOne = false, int outputs = 3)
    {
        var b = new NetBuilder().Input("v", [2]).Input("i", [], DataType.DT_INT32).Input("c", [1], DataType.DT_INT32)
            .Const("two", [2f], 1).Op(OpType.BinaryOp, Mul, ["v", "two"], ["v2"]);
        if (stopAfterOne)
        {
            b.ConstInts("stop", [0], 1);
        }

        var n = b.Net;
        string[] outs = [stopAfterOne ? "stop" : "c", "v2", "v2"];
        return new SubGraphProtoT
        {
            Name = "step",
            Tensors = n.TensorName,
            Nodes = n.Oplists,
            Inputs = [n.TensorName.IndexOf("i"), n.TensorName.IndexOf("c"), n.TensorName.IndexOf("v")],
            Outputs = [.. outs.Take(outputs).Select(o => n.TensorName.IndexOf(o))],
        };
    }

    private static MnnSession Session(SubGraphProtoT body, string? condGraph = null)
    {
        var b = new NetBuilder().Input("m", [1], DataType.DT_INT32).Input("cond", [1], DataType.DT_INT32).Input("x", [2])
            .Op(OpType.While, OpParameterUnion.FromWhileParam(new WhileParamT { BodyGraph = "step", CondGraph = condGraph }), ["m", "cond", "x"], ["y", "trace"], "loop")
            .Output("y").Output("trace");
        b.Net.Subgraphs = [body];
        return b.Session();
    }

    private static IReadOnlyDictionary<string, Tensor> Run(MnnSession s, int m, int cond) =>
        s.Run(TestRun.Inputs(("m", Tensor.FromInts([m], 1)), ("cond", Tensor.FromInts([cond], 1)), ("x", Tensor.FromFloats([1.5f, -4f], 2))));

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(3)]
    public void TripCountBoundsTheLoop(int m)
    {
        using var s = Session(Body());
        var r = Run(s, m, 1);
        float f = MathF.Pow(2, m);
        CollectionAssert.AreEqual(new[] { 1.5f * f, -4f * f }, r["y"].Floats.ToArray());
        CollectionAssert.AreEqual(m == 0 ? new[] { 0 } : new[] { m, 2 }, r["trace"].Shape.ToArray(), "scan elements stacked on a new axis 0");
        if (m > 0)
        {
            CollectionAssert.AreEqual(new[] { 3f, -8f }, r["trace"].Floats[..2].ToArray(), "iteration 0 first");
        }
    }

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(0, 0)]
    public void ConditionStopsTheLoop(int initialCond, int expectedIterations)
    {
        using var s = Session(Body(stopAfterOne: true));
        var r = Run(s, 5, initialCond);
        Assert.AreEqual(1.5f * MathF.Pow(2, expectedIterations), r["y"].Floats[0]);
    }

    [TestMethod]
    public void CondGraphFormIsACodedError()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Session(Body(), condGraph: "step"));
        Assert.AreEqual(ErrorCodes.UnsupportedMnnOperator, e.Code);
        StringAssert.Contains(e.Message, "cond_graph");
    }

    [TestMethod]
    public void BodyWithTooFewOutputsIsACodedError()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Session(Body(outputs: 2)));
        Assert.AreEqual(ErrorCodes.MnnInvalidGraph, e.Code);
        StringAssert.Contains(e.Message, "'loop'");
    }

    [TestMethod]
    public void MissingBodyIsACodedError()
    {
        var body = Body();
        body.Name = "other";
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Session(body));
        Assert.AreEqual(ErrorCodes.MnnInvalidGraph, e.Code);
        StringAssert.Contains(e.Message, "'step'");
    }
}
