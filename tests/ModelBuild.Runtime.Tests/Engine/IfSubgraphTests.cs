using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>MNN If over Net.subgraphs in the runtime: branch choice, aliases, and coded errors for malformed files.</summary>
[TestClass]
public sealed class IfSubgraphTests
{
    /// <summary>A body "name" with input "v" returning v·factor (a Scale-free BinaryOp MUL by a constant).</summary>
    private static SubGraphProtoT Body(string name, float factor, string? nested = null)
    {
        var b = new NetBuilder().Input("v", [2]).Const("f", [factor], 1)
            .Op(OpType.BinaryOp, OpParameterUnion.FromBinaryOp(new BinaryOpT { OpType = BinaryOpOperation.MUL }), ["v", "f"], ["r"]);
        if (nested is not null)
        {
            b.ConstInts("c", [1], 1).Op(OpType.If, IfParam(nested, nested, "v", "r"), ["c", "v"], ["r2"]);
        }

        var n = b.Net;
        return new SubGraphProtoT
        {
            Name = name,
            Tensors = n.TensorName,
            Nodes = n.Oplists,
            Inputs = [n.TensorName.IndexOf("v")],
            Outputs = [n.TensorName.IndexOf(nested is null ? "r" : "r2")],
        };
    }

    private static OpParameterUnion IfParam(string then, string otherwise, string inside, string output) =>
        OpParameterUnion.FromIfParam(new IfParamT
        {
            ThenGraph = then,
            ElseGraph = otherwise,
            AliasesInputs = [new StringVecT { Data = [] }, new StringVecT { Data = [inside] }],
            AliasesOutputs = [new StringVecT { Data = [output, output] }],
        });

    private static MnnSession Session(List<SubGraphProtoT> bodies, string then = "double", string otherwise = "negate")
    {
        var b = new NetBuilder().Input("cond", [1], DataType.DT_INT32).Input("x", [2])
            .Op(OpType.If, IfParam(then, otherwise, "v", "r"), ["cond", "x"], ["y"], "choose").Output("y");
        b.Net.Subgraphs = bodies;
        return b.Session();
    }

    [TestMethod]
    [DataRow(1, 2f)]
    [DataRow(0, -1f)]
    [DataRow(-3, -1f)]
    public void ConditionPicksTheBranch(int cond, float factor)
    {
        using var s = Session([Body("double", 2f), Body("negate", -1f)]);
        var y = s.Run(TestRun.Inputs(("cond", Tensor.FromInts([cond], 1)), ("x", Tensor.FromFloats([1.5f, -4f], 2))))["y"];
        CollectionAssert.AreEqual(new[] { 1.5f * factor, -4f * factor }, y.Floats.ToArray());
    }

    [TestMethod]
    public void MissingSubgraphIsACodedError()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Session([Body("double", 2f)]));
        Assert.AreEqual(ErrorCodes.MnnInvalidGraph, e.Code);
        StringAssert.Contains(e.Message, "'negate'");
    }

    [TestMethod]
    public void SelfNestingBodyIsACodedErrorNotAStackOverflow()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => Session([Body("loop", 2f, nested: "loop")], "loop", "loop"));
        StringAssert.Contains(e.Message, "nest deeper");
    }
}
