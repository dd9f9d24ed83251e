using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Converter.Tests.Ops;
using ModelBuild.Runtime.Format.Schema;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Export;

/// <summary>Structure of the exported NetT: metadata, names, formats, errors, determinism.</summary>
[TestClass]
public sealed class ExporterTests : OpTestBase
{
    private static ModelBuild.Converter.Onnx.Proto.ModelProto ConvRelu() =>
        new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 3, 8, 8)
            .Initializer("w", TestTensors.Random(1, [4L, 3, 3, 3]), 4, 3, 3, 3)
            .Initializer("b", TestTensors.Random(2, [4L]), 4)
            .Node("Conv", ["x", "w", "b"], ["c"], name: "conv1", attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("Relu", ["c"], ["y"], name: "relu1")
            .Output("y", IrDataType.Float)
            .Build();

    [TestMethod]
    public void NetMetadataMatchesUpstream()
    {
        var result = ModelConverter.Convert(SaveModel(ConvRelu()));
        var net = result.Net;
        Assert.AreEqual(NetSource.ONNX, net.SourceType);
        Assert.AreEqual("MNN", net.BizCode);
        Assert.AreEqual(Usage.INFERENCE, net.Usage);
        CollectionAssert.AreEqual(new[] { "y" }, net.OutputName);
        Assert.AreEqual(net.TensorName.Count, net.TensorName.Distinct().Count(), "tensor names must be unique");

        var input = net.Oplists[0];
        Assert.AreEqual(OpType.Input, input.Type);
        Assert.AreEqual("x", input.Name);
        var p = input.Main.AsInput();
        CollectionAssert.AreEqual(new[] { 1, 3, 8, 8 }, p.Dims);
        Assert.AreEqual(ModelBuild.Runtime.Format.Schema.DataType.DT_FLOAT, p.Dtype);
        Assert.AreEqual(MNN_DATA_FORMAT.NCHW, p.Dformat);
    }

    [TestMethod]
    public void ConvolutionIsWrappedInConvertTensorAndOutputKeepsItsName()
    {
        var net = ModelConverter.Convert(SaveModel(ConvRelu())).Net;
        var types = net.Oplists.Select(o => o.Type).ToList();
        CollectionAssert.AreEqual(new[] { OpType.Input, OpType.ConvertTensor, OpType.Convolution, OpType.ConvertTensor }, types);

        var toC4 = net.Oplists[1].Main.AsTensorConvertInfo();
        Assert.AreEqual(MNN_DATA_FORMAT.NCHW, toC4.Source);
        Assert.AreEqual(MNN_DATA_FORMAT.NC4HW4, toC4.Dest);
        var conv = net.Oplists[2];
        Assert.IsTrue(conv.Main.AsConvolution2D().Common.Relu, "Relu fused into the convolution");
        Assert.AreEqual("y__before_tr", net.TensorName[conv.OutputIndexes[0]]);
        var back = net.Oplists[3];
        Assert.AreEqual(MNN_DATA_FORMAT.NCHW, back.Main.AsTensorConvertInfo().Dest);
        Assert.AreEqual("y", net.TensorName[back.OutputIndexes[0]]);
    }

    [TestMethod]
    public void ConsecutiveConvolutionsShareTheNc4hw4Layout()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 6, 6)
            .Initializer("w1", TestTensors.Random(1, [2L, 2, 3, 3]), 2, 2, 3, 3)
            .Initializer("w2", TestTensors.Random(2, [2L, 2, 1, 1]), 2, 2, 1, 1)
            .Node("Conv", ["x", "w1"], ["c1"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("Sigmoid", ["c1"], ["s"])
            .Node("Conv", ["s", "w2"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.AreEqual(2, result.Net.Oplists.Count(o => o.Type == OpType.ConvertTensor), Describe(result));
    }

    [TestMethod]
    public void ResidualAddAndConcatOfFeatureMapsStayNc4hw4()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 5, 5)
            .Initializer("w1", TestTensors.Random(1, [2L, 2, 3, 3]), 2, 2, 3, 3)
            .Initializer("w2", TestTensors.Random(2, [2L, 2, 1, 1]), 2, 2, 1, 1)
            .Initializer("w3", TestTensors.Random(3, [3L, 4, 1, 1]), 3, 4, 1, 1)
            .Node("Conv", ["x", "w1"], ["a"], attrs: a => a.Ints("pads", 1, 1, 1, 1))
            .Node("Conv", ["a", "w2"], ["b"])
            .Node("Add", ["a", "b"], ["s"])
            .Node("Concat", ["s", "a"], ["c"], attrs: a => a.Int("axis", 1))
            .Node("Conv", ["c", "w3"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var result = AssertMatchesOnnxRuntime(model);
        Assert.AreEqual(2, result.Net.Oplists.Count(o => o.Type == OpType.ConvertTensor), Describe(result));
    }

    [TestMethod]
    public void BroadcastingAddOfFeatureMapLeavesNc4hw4()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 4, 4)
            .Initializer("w", TestTensors.Random(1, [2L, 2, 1, 1]), 2, 2, 1, 1)
            .Initializer("bias", [1f, 2f], 2, 1, 1)
            .Node("Conv", ["x", "w"], ["a"])
            .Node("Add", ["a", "bias"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var result = AssertMatchesOnnxRuntime(model);
        var add = result.Net.Oplists.Single(o => o.Type == OpType.BinaryOp);
        var producer = result.Net.Oplists.Single(o => o.OutputIndexes.Contains(add.InputIndexes[0]));
        Assert.AreEqual(OpType.ConvertTensor, producer.Type, "a broadcasting BinaryOp reads NCHW");
    }

    [TestMethod]
    public void ShapeAndInterpOpsAreMarkedNchwAsUpstream()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, "N", 1, 2, 2)
            .Initializer("scales", [1f, 1f, 2f, 2f], 4)
            .Node("Resize", ["x", "", "scales"], ["r"], attrs: a => a.String("mode", "nearest"))
            .Node("Shape", ["r"], ["y"])
            .Output("y", IrDataType.Int64)
            .Build();
        var net = ModelConverter.Convert(SaveModel(model)).Net;
        foreach (var op in net.Oplists.Where(o => o.Type is OpType.Shape or OpType.Interp))
        {
            Assert.AreEqual(MNN_DATA_FORMAT.NCHW, op.DefaultDimentionFormat, op.Type.ToString());
        }

        Assert.AreEqual(2, net.Oplists.Count(o => o.Type is OpType.Shape or OpType.Interp));
    }

    [TestMethod]
    public void ConstantInputsBecomeInt32AndFloatConstOps()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 6)
            .Initializer("shape", new long[] { 3, -1 }, 2)
            .Node("Reshape", ["x", "shape"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var net = ModelConverter.Convert(SaveModel(model)).Net;
        var constOp = net.Oplists.Single(o => o.Type == OpType.Const);
        var blob = constOp.Main.AsBlob();
        Assert.AreEqual(ModelBuild.Runtime.Format.Schema.DataType.DT_INT32, blob.DataType);
        CollectionAssert.AreEqual(new[] { 3, -1 }, blob.Int32s);
        CollectionAssert.AreEqual(new[] { 2 }, blob.Dims);
        Assert.AreEqual("shape", net.TensorName[constOp.OutputIndexes[0]]);
    }

    [TestMethod]
    public void UnsupportedOperatorNamesNodeOpOpsetAndFile()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3)
            .Node("Multinomial", ["x"], ["y"], name: "the_node")
            .Output("y", IrDataType.Float)
            .Build();
        var path = SaveModel(model);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(path));
        Assert.AreEqual(ErrorCodes.UnsupportedOperator, e.Code);
        StringAssert.Contains(e.Message, "unsupported operator Multinomial (opset 13) at node 'the_node' in ");
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void OperatorOutsideItsOpsetRangeIsUnsupported()
    {
        // Upsample was removed in opset 10.
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 1, 2, 2)
            .Initializer("scales", [1f, 1f, 2f, 2f], 4)
            .Node("Upsample", ["x", "scales"], ["y"], name: "up")
            .Output("y", IrDataType.Float)
            .Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedOperator, e.Code);
        StringAssert.Contains(e.Message, "Upsample (opset 13) at node 'up'");
    }

    [TestMethod]
    public void CustomDomainIsUnsupported()
    {
        var model = new OnnxModelBuilder(13).Opset("com.example", 1)
            .Input("x", IrDataType.Float, 2)
            .Node("Relu", ["x"], ["y"], name: "custom", domain: "com.example")
            .Output("y", IrDataType.Float)
            .Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedOperator, e.Code);
        StringAssert.Contains(e.Message, "com.example.Relu");
    }

    [TestMethod]
    [DataRow("nearest", "round_half_even")]
    [DataRow("nearest", "truncate")]
    public void UnsupportedAttributeValueIsMB3002(string mode, string nearest)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 1, 2, 2)
            .Initializer("scales", [1f, 1f, 2f, 2f], 4)
            .Node("Resize", ["x", "", "scales"], ["y"], name: "rs", attrs: a => a.String("mode", mode).String("nearest_mode", nearest))
            .Output("y", IrDataType.Float)
            .Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        Assert.AreEqual(ErrorCodes.UnsupportedAttribute, e.Code);
        StringAssert.Contains(e.Message, nearest);
        StringAssert.Contains(e.Message, "node 'rs'");
    }

    [TestMethod]
    public void NonConstantConvWeightBecomesAMultiInputConvolution()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 4, 4).Input("w", IrDataType.Float, 2, 2, 3, 3)
            .Node("Conv", ["x", "w"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var conv = ModelConverter.Convert(SaveModel(model)).Net.Oplists.Single(o => o.Type == OpType.Convolution);
        Assert.HasCount(2, conv.InputIndexes);
    }

    [TestMethod]
    public void ConversionIsDeterministic()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 3, 8, 8)
            .Initializer("w", TestTensors.Random(1, [4L, 3, 3, 3]), 4, 3, 3, 3)
            .Initializer("s", [1f, 2f, 3f, 4f], 4).Initializer("bias", [0f, 1f, 0f, 1f], 4)
            .Node("Conv", ["x", "w"], ["c"])
            .Node("InstanceNormalization", ["c", "s", "bias"], ["n"])
            .Node("Softmax", ["n"], ["y"], attrs: a => a.Int("axis", 1))
            .Output("y", IrDataType.Float)
            .Build();
        var path = SaveModel(model);
        var first = ModelConverter.Convert(path).Bytes;
        var second = ModelConverter.Convert(path).Bytes;
        CollectionAssert.AreEqual(first, second);

        var dir = TempDir();
        ModelConverter.ConvertToFile(path, Path.Combine(dir, "a.mnn"));
        ModelConverter.ConvertToFile(path, Path.Combine(dir, "b.mnn"));
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir, "a.mnn")), File.ReadAllBytes(Path.Combine(dir, "b.mnn")));
        CollectionAssert.AreEqual(first, File.ReadAllBytes(Path.Combine(dir, "a.mnn")));
    }

    [TestMethod]
    [DataRow(1e-5f)]
    [DataRow(3.3e-3f)]
    [DataRow(1e-12f)]
    public void InstanceNormEpsilonIsCarriedExactly(float epsilon)
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 3, 3)
            .Initializer("s", [1f, 2f], 2).Initializer("bias", [0f, 1f], 2)
            .Node("InstanceNormalization", ["x", "s", "bias"], ["y"], attrs: a => a.Float("epsilon", epsilon))
            .Output("y", IrDataType.Float)
            .Build();
        var bytes = ModelConverter.Convert(SaveModel(model)).Bytes;
        var net = NetT.DeserializeFromBinary(bytes); // read back from the serialized file, not the in-memory net
        var layerNorm = net.Oplists.Single(o => o.Type == OpType.LayerNorm).Main.AsLayerNorm();
        Assert.AreEqual(epsilon, layerNorm.Epsilon);
        CollectionAssert.AreEqual(new[] { -1 }, layerNorm.Axis);
        var types = net.Oplists.Select(o => o.Type).Where(t => t != OpType.ConvertTensor && t != OpType.Const).ToList();
        CollectionAssert.AreEqual(new[] { OpType.Input, OpType.Reshape, OpType.LayerNorm, OpType.Reshape, OpType.Scale }, types);
    }

    [TestMethod]
    public void InstanceNormWithoutEpsilonWarnsAndUsesOnnxDefault()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 1, 2, 3, 3)
            .Initializer("s", [1f, 2f], 2).Initializer("bias", [0f, 1f], 2)
            .Node("InstanceNormalization", ["x", "s", "bias"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var result = ModelConverter.Convert(SaveModel(model));
        Assert.AreEqual(1e-5f, result.Net.Oplists.Single(o => o.Type == OpType.LayerNorm).Main.AsLayerNorm().Epsilon);
        Assert.IsTrue(result.Warnings.Any(w => w.Code == ErrorCodes.OnnxDefaultAttributeUsed && w.Message.Contains("epsilon")));
    }

    [TestMethod]
    public void NumericDefaultAttributeUsedIsAWarning()
    {
        var result = ModelConverter.Convert(SaveModel(OpModels.Unary("LeakyRelu", [2, 3])));
        Assert.IsTrue(result.Warnings.Any(w => w.Code == ErrorCodes.OnnxDefaultAttributeUsed && w.Message.Contains("'alpha'")), string.Join("\n", result.Warnings));
    }

    [TestMethod]
    public void FailedConversionWritesNoFile()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, 2, 3)
            .Node("Multinomial", ["x"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var path = SaveModel(model);
        var dir = Path.GetDirectoryName(path)!;
        var target = Path.Combine(dir, "out.mnn");
        Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.ConvertToFile(path, target));
        Assert.IsFalse(File.Exists(target));
        CollectionAssert.AreEqual(new[] { "model.onnx" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray(), "no temporary files left behind");
    }

    [TestMethod]
    public void ConvertToFileWritesLoadableModel()
    {
        var path = SaveModel(ConvRelu());
        var target = Path.Combine(Path.GetDirectoryName(path)!, "out.mnn");
        var result = ModelConverter.ConvertToFile(path, target);
        CollectionAssert.AreEqual(result.Bytes, File.ReadAllBytes(target));
        var model = ModelBuild.Runtime.MnnModel.Load(target);
        Assert.AreEqual("x", model.Inputs.Single().Name);
        Assert.AreEqual("y", model.Outputs.Single().Name);
    }

    [TestMethod]
    public void NameTableMapsEveryOnnxValueToItsTensor()
    {
        var result = ModelConverter.Convert(SaveModel(ConvRelu()));
        Assert.AreEqual("x", result.TensorNames["x"]);
        Assert.AreEqual("y", result.TensorNames["y"]);
        foreach (var (onnx, mnn) in result.TensorNames)
        {
            Assert.IsTrue(result.Net.TensorName.Contains(mnn), $"{onnx} → {mnn} is not a tensor of the net");
        }
    }

    [TestMethod]
    public void SymbolicInputDimsAreMinusOne()
    {
        var model = new OnnxModelBuilder(13)
            .Input("x", IrDataType.Float, "N", 3)
            .Node("Relu", ["x"], ["y"])
            .Output("y", IrDataType.Float)
            .Build();
        var net = ModelConverter.Convert(SaveModel(model)).Net;
        CollectionAssert.AreEqual(new[] { -1, 3 }, net.Oplists[0].Main.AsInput().Dims);

        var fixedShape = new ConversionOptions { InputShapes = { ["x"] = [5, 3] } };
        var fixedNet = ModelConverter.Convert(SaveModel(model), fixedShape).Net;
        CollectionAssert.AreEqual(new[] { 5, 3 }, fixedNet.Oplists[0].Main.AsInput().Dims);
    }

    [TestMethod]
    public void IntegerInputsAreInt32()
    {
        var model = new OnnxModelBuilder(13)
            .Input("i", IrDataType.Int64, 4)
            .Node("Neg", ["i"], ["y"])
            .Output("y", IrDataType.Int64)
            .Build();
        var net = ModelConverter.Convert(SaveModel(model)).Net;
        Assert.AreEqual(ModelBuild.Runtime.Format.Schema.DataType.DT_INT32, net.Oplists[0].Main.AsInput().Dtype);
    }

    [TestMethod]
    public void HarnessDetectsMismatches()
    {
        // The comparison must be able to fail: a model whose reference differs from what we feed ourselves.
        var model = OpModels.Unary("Relu", [4]);
        var good = new Dictionary<string, TestInput> { ["x"] = (new float[] { -1, 0, 1, 2 }, new long[] { 4 }) };
        AssertMatchesOnnxRuntime(model, good);
        Assert.ThrowsExactly<AssertFailedException>(() => AssertOutputsMatch("y", [0, 0, 1, 2.01], [0, 0, 1, 2]));
        AssertOutputsMatch("y", [0, 0, 1, 2.001], [0, 0, 1, 2]);
        AssertOutputsMatch("y", [double.NaN], [double.NaN]);
    }
}
