using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Engine.TestRun;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary><see cref="MnnModel.Outputs"/>: output shapes planned for fixed declared input shapes, unknown where they are not.</summary>
[TestClass]
public sealed class PlannedOutputTests
{
    /// <summary>x[2,3] with outputs reshaped by a constant, by Shape(x), by a data input k, and Where(x) (data-sized).</summary>
    private static NetBuilder Mixed() => new NetBuilder().Input("x", [2, 3]).Input("k", [2], DataType.DT_INT32)
        .ConstInts("c", [3, 2], 2)
        .Op(OpType.Reshape, null, ["x", "c"], ["by_const"])
        .Op(OpType.Shape, null, ["x"], ["s"])
        .Op(OpType.Reshape, null, ["x", "s"], ["by_shape"])
        .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 0 }), ["by_shape", "by_shape"], ["doubled"])
        .Op(OpType.Reshape, null, ["x", "k"], ["by_data"])
        .Op(OpType.Where, null, ["x"], ["nonzero"])
        .Output("by_const", "s", "doubled", "by_data", "nonzero");

    [TestMethod]
    public void FixedInputsGiveEveryOutputItsPlannedShapeAndType()
    {
        var model = Mixed().Model();
        var text = model.Outputs.Select(o => o.ToString()).ToArray();
        Assert.AreEqual("by_const: Float32[3,2]", text[0], "a shape read from a constant is planned");
        Assert.AreEqual("s: Int32[2]", text[1]);
        Assert.AreEqual("doubled: Float32[4,3]", text[2], "Shape(x) is computed during planning, so a Reshape to it is planned too");
        Assert.IsTrue(model.Outputs[2].RankKnown);
    }

    [TestMethod]
    public void ShapesThatDependOnInputValuesStayUnknown()
    {
        var model = Mixed().Model();
        Assert.AreEqual("by_data: Float32[?]", model.Outputs[3].ToString(), "a Reshape to a shape given as input data is not known before a run");
        Assert.IsFalse(model.Outputs[3].RankKnown);
        Assert.AreEqual("nonzero: Int32[?]", model.Outputs[4].ToString(), "Where's size depends on the data");
    }

    [TestMethod]
    public void SessionOutputsStartFromThePlanAndFollowTheRun()
    {
        var model = Mixed().Model();
        using var s = new MnnSession(model);
        Assert.AreSame(model.Outputs, s.Outputs, "before a run a session reports the model's planned outputs");
        var x = Tensor.FromFloats([1, 0, 2, 0, 3, 0], [2, 3]);
        s.Run(Inputs(("x", x), ("k", Tensor.FromInts([6, 1], [2]))));
        Assert.AreEqual("by_data: Float32[6,1]", s.Outputs[3].ToString());
        Assert.AreEqual("nonzero: Int32[3,2]", s.Outputs[4].ToString());
        Assert.AreEqual("doubled: Float32[4,3]", s.Outputs[2].ToString(), "the run agrees with the plan");
        Assert.AreEqual("by_data: Float32[?]", model.Outputs[3].ToString(), "a run does not change the model's description");
    }

    [TestMethod]
    public void DynamicInputDimensionsLeaveOutputShapesUnknown()
    {
        var model = new NetBuilder().Input("x", [-1, 3])
            .Op(OpType.Shape, null, ["x"], ["s"])
            .Op(OpType.ReLU, null, ["x"], ["y"])
            .Output("s", "y").Model();
        Assert.AreEqual("s: Int32[?]", model.Outputs[0].ToString());
        Assert.AreEqual("y: Float32[?]", model.Outputs[1].ToString());
    }

    [TestMethod]
    public void AnOpTheRuntimeLacksLeavesOutputsUnknownWithoutFailingTheLoad()
    {
        var model = new NetBuilder().Input("x", [2]).Op(OpType.Svd, null, ["x"], ["y"], name: "my_svd").Model();
        Assert.AreEqual("y: Float32[?]", model.Outputs[0].ToString(), "describing the model must not fail where only a session would");
    }

    [TestMethod]
    public void AnOpThatRejectsThePlannedShapesLeavesItsOutputsUnknown()
    {
        var model = new NetBuilder().Input("x", [2, 3]).ConstInts("c", [4, 4], 2)
            .Op(OpType.Reshape, null, ["x", "c"], ["bad"])
            .Op(OpType.ReLU, null, ["x"], ["fine"])
            .Output("bad", "fine").Model();
        Assert.AreEqual("bad: Float32[?]", model.Outputs[0].ToString());
        Assert.AreEqual("fine: Float32[2,3]", model.Outputs[1].ToString());
    }

    [TestMethod]
    public void OpsThatReadOnlySomeInputValuesArePlannedFromTheOthers()
    {
        // Gather's shape needs its indices' shape only, Tile's the repeats only, Fill's the shape only
        var model = new NetBuilder().Input("table", [5, 3]).Input("ids", [1, 4], DataType.DT_INT32).Input("v", [1], DataType.DT_INT32)
            .ConstInts("reps", [2, 1], 2).ConstInts("dims", [2, 2], 2)
            .Op(OpType.GatherV2, null, ["table", "ids"], ["rows"])
            .Op(OpType.Tile, null, ["table", "reps"], ["tiled"])
            .Op(OpType.Fill, null, ["dims", "v"], ["filled"])
            .Output("rows", "tiled", "filled").Model();
        Assert.AreEqual("rows: Float32[1,4,3]", model.Outputs[0].ToString());
        Assert.AreEqual("tiled: Float32[10,3]", model.Outputs[1].ToString());
        Assert.AreEqual("filled: Int32[2,2]", model.Outputs[2].ToString(), "Fill's value input is data, but only its type matters");
    }
}
