using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Export;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using ModelBuild.Runtime;
using IrDataType = ModelBuild.Converter.Graph.DataType;
using MbSession = ModelBuild.Runtime.MnnSession;

namespace ModelBuild.Converter.Tests.Onnx;

/// <summary>
/// Per-operator version checks: each node's op resolves to the version in force at the model's opset and is
/// accepted only where an emitter implements that version's behaviour; legacy (opset &lt; 7) semantics are
/// rewritten or rejected, never computed differently.
/// </summary>
[TestClass]
public sealed class OperatorVersionTests : OpTestBase
{
    // ---------------- the version table ----------------

    [TestMethod]
    [DataRow("Add", 6, 6, 6)]
    [DataRow("Add", 12, 7, 7)]
    [DataRow("Add", 28, 14, 14)]
    [DataRow("Reshape", 22, 21, 14)]
    [DataRow("Reshape", 25, 25, 14)]
    [DataRow("Cast", 25, 25, 24)]
    [DataRow("Softmax", 6, 1, 1)]
    [DataRow("Range", 27, 27, 27)]
    public void ResolvesTheVersionInForceAndItsBehaviourVersion(string op, int opset, int since, int semantics)
    {
        var v = OperatorVersions.Resolve(op, opset);
        Assert.IsNotNull(v);
        Assert.AreEqual(since, v.Value.Since);
        Assert.AreEqual(semantics, v.Value.Semantics);
    }

    [TestMethod]
    [DataRow("Gelu", 19)]
    [DataRow("Attention", 22)]
    [DataRow("NoSuchOp", 13)]
    public void OpsNotYetDefinedDoNotResolve(string op, int opset) =>
        Assert.IsNull(OperatorVersions.Resolve(op, opset));

    [TestMethod]
    public void EveryHistoryIsAscendingAndWithinTheKnownOpsets()
    {
        foreach (var op in OperatorVersions.OpTypes)
        {
            var versions = OperatorVersions.Versions(op);
            Assert.IsNotEmpty(versions, op);
            CollectionAssert.AreEqual(versions.Order().Distinct().ToList(), versions.ToList(), op);
            Assert.IsTrue(versions[0] >= OperatorVersions.OldestOpset && versions[^1] <= OperatorVersions.NewestOpset, op);
            Assert.IsFalse(OperatorVersions.IsTypeOnly(op, versions[0]), $"{op}: a first version widens nothing");
        }
    }

    [TestMethod]
    public void EveryEmitterNamesVersionsOfAKnownOp()
    {
        // Building the registry validates each range against the table.
        foreach (var op in OpEmitterRegistry.SupportedOps)
        {
            Assert.IsNotEmpty(OperatorVersions.Versions(op), op);
            Assert.IsNotEmpty(OpEmitterRegistry.Entries(op), op);
        }
    }

    // ---------------- model-level gate ----------------

    [TestMethod]
    [DataRow(1)]
    [DataRow(6)]
    [DataRow(28)]
    public void OpsetsTheTableDescribesAreAccepted(int opset)
    {
        var m = new OnnxModelBuilder(opset).Input("x", IrDataType.Float, 1).Node("Relu", ["x"], ["y"]).Output("y").Build();
        Assert.AreEqual(opset, OnnxImporter.Import(m, "m.onnx", ".").Opset);
    }

    [TestMethod]
    public void OpsetNewerThanTheTableIsMB1007()
    {
        var m = new OnnxModelBuilder(OperatorVersions.NewestOpset + 1).Input("x", IrDataType.Float, 1).Node("Relu", ["x"], ["y"]).Output("y").Build();
        var e = AssertCode.Throws(ErrorCodes.OnnxUnsupportedOpset, () => OnnxImporter.Import(m, "m.onnx", "."));
        StringAssert.Contains(e.Message, $"opset {OperatorVersions.NewestOpset + 1}; supported opsets are 1..{OperatorVersions.NewestOpset}");
    }

    // ---------------- opsets 22, 23, 25: type-only widenings accepted, new semantics rejected ----------------

    [TestMethod]
    [DataRow(22)]
    [DataRow(23)]
    [DataRow(25)]
    public void TypeOnlyWidenedVersionsConvertAndRun(int opset)
    {
        // Reshape-19/21/23/24/25 and Transpose-21..25 only added element types to Reshape-14 / Transpose-13.
        var model = new OnnxModelBuilder(opset)
            .Input("x", IrDataType.Float, 2, 3)
            .Initializer("shape", [3L, 2], 2)
            .Node("Transpose", ["x"], ["t"], name: "t", attrs: a => a.Ints("perm", 1, 0))
            .Node("Reshape", ["t", "shape"], ["y"], name: "r")
            .Output("y", IrDataType.Float)
            .Build();
        var y = Run(model, ("x", [1, 2, 3, 4, 5, 6], [2, 3]));
        CollectionAssert.AreEqual(new float[] { 1, 4, 2, 5, 3, 6 }, y);
    }

    [TestMethod]
    public void OpNewInOpset23IsMB3001NamingNodeOpsetVersionAndFile()
    {
        var model = new OnnxModelBuilder(23)
            .Input("x", IrDataType.Float, 1, 2, 3, 4)
            .Input("cos", IrDataType.Float, 1, 3, 2)
            .Input("sin", IrDataType.Float, 1, 3, 2)
            .Node("RotaryEmbedding", ["x", "cos", "sin"], ["y"], name: "rope")
            .Output("y", IrDataType.Float)
            .Build();
        var path = SaveModel(model);
        var e = AssertCode.Throws(ErrorCodes.UnsupportedOperator, () => ModelConverter.Convert(path));
        StringAssert.Contains(e.Message, $"unsupported operator RotaryEmbedding (opset 23) at node 'rope' in {path}: resolves to RotaryEmbedding-23, which the converter does not implement");
    }

    [TestMethod]
    public void SemanticallyNewVersionOfASupportedOpIsMB3001()
    {
        // Scatter-11 (deprecated in favour of ScatterElements) accepts negative indices; the converter implements Scatter-9.
        var model = new OnnxModelBuilder(11)
            .Input("x", IrDataType.Float, 2, 3)
            .Input("u", IrDataType.Float, 1, 3)
            .Initializer("i", [0L, 1L, 0L], 1, 3)
            .Node("Scatter", ["x", "i", "u"], ["y"], name: "scatter")
            .Output("y", IrDataType.Float)
            .Build();
        var e = AssertCode.Throws(ErrorCodes.UnsupportedOperator, () => ModelConverter.Convert(SaveModel(model)));
        StringAssert.Contains(e.Message, "unsupported operator Scatter (opset 11) at node 'scatter'");
        StringAssert.Contains(e.Message, "resolves to Scatter-11; the converter implements Scatter-9");
    }

    [TestMethod]
    public void OpNotYetDefinedAtTheModelsOpsetIsMB3001()
    {
        var model = new OnnxModelBuilder(19).Input("x", IrDataType.Float, 4).Node("Gelu", ["x"], ["y"], name: "g").Output("y", IrDataType.Float).Build();
        var e = AssertCode.Throws(ErrorCodes.UnsupportedOperator, () => ModelConverter.Convert(SaveModel(model)));
        StringAssert.Contains(e.Message, "Gelu is not an operator of the default domain at opset 19");
    }

    [TestMethod]
    public void CastAtOpset25ToFloatRunsAndToBFloat16IsRejected()
    {
        var toFloat = new OnnxModelBuilder(25)
            .Input("x", IrDataType.Int32, 3)
            .Node("Cast", ["x"], ["y"], name: "c", attrs: a => a.Int("to", (long)IrDataType.Float))
            .Output("y", IrDataType.Float)
            .Build();
        var path = SaveModel(toFloat);
        var session = new MbSession(MnnModel.FromBytes(ModelConverter.Convert(path).Bytes));
        var y = session.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.FromInts([1, -2, 3], [3]) })["y"];
        CollectionAssert.AreEqual(new float[] { 1, -2, 3 }, y.Floats.ToArray());
        session.Dispose();

        var toBf16 = new OnnxModelBuilder(25)
            .Input("x", IrDataType.Float, 3)
            .Node("Cast", ["x"], ["y"], name: "c", attrs: a => a.Int("to", (long)IrDataType.BFloat16))
            .Output("y", IrDataType.BFloat16)
            .Build();
        var e = AssertCode.Throws(ErrorCodes.UnsupportedAttribute, () => ModelConverter.Convert(SaveModel(toBf16)));
        StringAssert.Contains(e.Message, "a cast from Float to BFloat16");
    }

    // ---------------- opset 6: legacy semantics ----------------

    [TestMethod]
    public void Opset6AddWithBroadcastAxisAlignsBAtTheAxis()
    {
        // A [2,3,2], B [3], axis 1: B runs along dimension 1 (numpy would align it with the last one).
        var model = new OnnxModelBuilder(6)
            .Input("a", IrDataType.Float, 2, 3, 2)
            .Input("b", IrDataType.Float, 3)
            .Node("Add", ["a", "b"], ["y"], name: "add", attrs: x => x.Int("broadcast", 1).Int("axis", 1))
            .Output("y", IrDataType.Float)
            .Build();
        var a = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var y = Run(model, ("a", a, [2, 3, 2]), ("b", [100, 200, 300], [3]));
        var expected = a.Select((v, i) => v + 100 * (1 + (i / 2 % 3))).ToArray();
        CollectionAssert.AreEqual(expected, y);
    }

    [TestMethod]
    public void Opset6SubWithBroadcastAndNoAxisMatchesTheSuffix()
    {
        var model = new OnnxModelBuilder(6)
            .Input("a", IrDataType.Float, 2, 3)
            .Initializer("b", [1f, 2f, 3f], 3)
            .Node("Sub", ["a", "b"], ["y"], name: "sub", attrs: x => x.Int("broadcast", 1))
            .Output("y", IrDataType.Float)
            .Build();
        var y = Run(model, ("a", [10, 20, 30, 40, 50, 60], [2, 3]));
        CollectionAssert.AreEqual(new float[] { 9, 18, 27, 39, 48, 57 }, y);
    }

    [TestMethod]
    public void Opset6PReluAppliesAOneDimensionalSlopePerChannel()
    {
        var model = new OnnxModelBuilder(6)
            .Input("x", IrDataType.Float, 1, 3, 2)
            .Initializer("slope", [0.5f, 0.25f, 2f], 3)
            .Node("PRelu", ["x", "slope"], ["y"], name: "prelu")
            .Output("y", IrDataType.Float)
            .Build();
        var y = Run(model, ("x", [-2, 2, -4, 4, -1, 1], [1, 3, 2]));
        CollectionAssert.AreEqual(new float[] { -1, 2, -1, 4, -2, 1 }, y);
    }

    [TestMethod]
    public void Opset6BatchNormalizationInTestModeConverts()
    {
        var y = Run(BatchNorm(isTest: 1), ("x", [1, 2, 3, 4], [1, 2, 2]));
        // scale 2, bias 1, mean 1, var 1 - eps: y = 2 (x - 1) + 1
        CollectionAssert.AreEqual(new float[] { 1, 3, 5, 7 }, y);
    }

    [TestMethod]
    public void Opset6BatchNormalizationInTrainingModeIsMB3002()
    {
        var e = AssertCode.Throws(ErrorCodes.UnsupportedAttribute, () => ModelConverter.Convert(SaveModel(BatchNorm(isTest: 0))));
        StringAssert.Contains(e.Message, "BatchNormalization (opset 6) at node 'bn'");
        StringAssert.Contains(e.Message, "is_test=0");
    }

    [TestMethod]
    public void Opset6DropoutIsIdentityInTestModeAndMB3002InTrainingMode()
    {
        var y = Run(Dropout(isTest: 1), ("x", [1, -2, 3], [3]));
        CollectionAssert.AreEqual(new float[] { 2, -4, 6 }, y);

        var e = AssertCode.Throws(ErrorCodes.UnsupportedAttribute, () => ModelConverter.Convert(SaveModel(Dropout(isTest: 0))));
        StringAssert.Contains(e.Message, "Dropout (opset 6) at node 'drop'");
        StringAssert.Contains(e.Message, "is_test=0");
    }

    [TestMethod]
    public void LegacyVersionWithoutAnEmitterIsMB3001()
    {
        // Upsample-1 took height_scale/width_scale attributes; the converter implements Upsample-7..9.
        var model = new OnnxModelBuilder(6)
            .Input("x", IrDataType.Float, 1, 1, 2, 2)
            .Node("Upsample", ["x"], ["y"], name: "up", attrs: a => a.Float("height_scale", 2).Float("width_scale", 2))
            .Output("y", IrDataType.Float)
            .Build();
        var e = AssertCode.Throws(ErrorCodes.UnsupportedOperator, () => ModelConverter.Convert(SaveModel(model)));
        StringAssert.Contains(e.Message, "unsupported operator Upsample (opset 6) at node 'up'");
        StringAssert.Contains(e.Message, "resolves to Upsample-1; the converter implements Upsample-7..9");
    }

    private static ModelProto BatchNorm(int isTest) =>
        new OnnxModelBuilder(6)
            .Input("x", IrDataType.Float, 1, 2, 2)
            .Initializer("scale", [2f, 2f], 2)
            .Initializer("bias", [1f, 1f], 2)
            .Initializer("mean", [1f, 1f], 2)
            .Initializer("var", [1f - 1e-5f, 1f - 1e-5f], 2)
            .Node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], name: "bn", attrs: a => a.Int("is_test", isTest).Float("epsilon", 1e-5f))
            .Output("y", IrDataType.Float)
            .Build();

    private static ModelProto Dropout(int isTest) =>
        new OnnxModelBuilder(6)
            .Input("x", IrDataType.Float, 3)
            .Node("Dropout", ["x"], ["d"], name: "drop", attrs: a => a.Int("is_test", isTest).Float("ratio", 0.5f))
            .Node("Add", ["d", "d"], ["y"], name: "double")
            .Output("y", IrDataType.Float)
            .Build();

    /// <summary>Converts and runs in our runtime; returns the float values of output 'y'.</summary>
    private static float[] Run(ModelProto model, params (string Name, float[] Data, int[] Shape)[] inputs)
    {
        var result = ModelConverter.Convert(SaveModel(model));
        using var session = new MbSession(MnnModel.FromBytes(result.Bytes));
        var feeds = inputs.ToDictionary(i => i.Name, i => Tensor.FromFloats(i.Data, i.Shape), StringComparer.Ordinal);
        var outputs = session.Run(feeds);
        var name = result.TensorNames.TryGetValue("y", out var mnn) ? mnn : "y";
        return outputs[name].Floats.ToArray();
    }
}
