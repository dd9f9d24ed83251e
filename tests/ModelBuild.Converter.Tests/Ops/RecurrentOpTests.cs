using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Converter.Onnx.Proto;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// LSTM / GRU / RNN in the forms ONNX allows and MNN can run (directions, initial states present or absent,
/// weights as initializers or graph inputs, GRU linear_before_reset 0/1, layout 1, sequence_lens of full length),
/// compared with ONNX Runtime; what MNN cannot express is MB3002.
/// </summary>
[TestClass]
public sealed class RecurrentOpTests : OpTestBase
{
    private const int Seq = 5, Batch = 3, In = 4, Hidden = 6;

    [TestMethod]
    [DataRow("forward", 0)]
    [DataRow("reverse", 1)]
    [DataRow("bidirectional", 2)]
    [DataRow("bidirectional", 3)]
    [DataRow("forward", 3)]
    public void Lstm(string direction, int initialStates)
    {
        // initialStates: 0 none, 1 h only, 2 c only, 3 both.
        var model = Layer("LSTM", 4, direction, layout: 0, h0: (initialStates & 1) != 0, c0: (initialStates & 2) != 0);
        var result = AssertMatchesOnnxRuntime(model, Inputs(model));
        Assert.AreEqual(1, result.Net.Oplists.Count(o => o.Type == OpType.LSTM), Describe(result));
    }

    [TestMethod]
    [DataRow("forward", 0L, false)]
    [DataRow("forward", 1L, true)]
    [DataRow("reverse", 0L, true)]
    [DataRow("bidirectional", 0L, false)]
    [DataRow("bidirectional", 1L, true)]
    public void Gru(string direction, long linearBeforeReset, bool initial)
    {
        var model = Layer("GRU", 3, direction, layout: 0, h0: initial, attrs: a => a.Int("linear_before_reset", linearBeforeReset));
        var result = AssertMatchesOnnxRuntime(model, Inputs(model));
        Assert.AreEqual(1, result.Net.Oplists.Count(o => o.Type == OpType.RNNSequenceGRU), Describe(result));
    }

    [TestMethod]
    [DataRow("forward")]
    [DataRow("bidirectional")]
    public void GruWithRunTimeWeights(string direction)
    {
        var model = Layer("GRU", 3, direction, layout: 0, h0: true, weightsAsInputs: true, attrs: a => a.Int("linear_before_reset", 1));
        AssertMatchesOnnxRuntime(model, Inputs(model));
    }

    [TestMethod]
    [DataRow("LSTM", 4)]
    [DataRow("RNN", 1)]
    public void RunTimeWeightsAndBias(string op, int gates)
    {
        var model = Layer(op, gates, "bidirectional", layout: 0, h0: true, weightsAsInputs: true);
        AssertMatchesOnnxRuntime(model, Inputs(model));
    }

    [TestMethod]
    [DataRow("forward", false)]
    [DataRow("reverse", true)]
    [DataRow("bidirectional", true)]
    public void Rnn(string direction, bool initial)
    {
        var model = Layer("RNN", 1, direction, layout: 0, h0: initial);
        var result = AssertMatchesOnnxRuntime(model, Inputs(model));
        Assert.AreEqual(1, result.Net.Oplists.Count(o => o.Type == OpType.RNN), Describe(result));
    }

    [TestMethod]
    [DataRow("LSTM", 4, "bidirectional")]
    [DataRow("GRU", 3, "reverse")]
    [DataRow("RNN", 1, "forward")]
    public void BatchFirstLayout(string op, int gates, string direction)
    {
        // ONNX Runtime has no layout = 1; the reference is the layout-0 layer between Transposes.
        var model = Layer(op, gates, direction, layout: 1, h0: true, c0: op == "LSTM");
        var reference = Layer(op, gates, direction, layout: 0, h0: true, c0: op == "LSTM", batchFirstByTranspose: true);
        AssertMatchesOnnxRuntime(model, Inputs(model), reference: reference);
    }

    [TestMethod]
    public void FullLengthSequenceLensIsDropped()
    {
        var model = Layer("LSTM", 4, "forward", layout: 0, h0: false, sequenceLens: [Seq, Seq, Seq]);
        AssertMatchesOnnxRuntime(model, Inputs(model));
    }

    [TestMethod]
    public void StackedLayersAsPyTorchExportsThem()
    {
        // Two LSTM layers; the second consumes the first's Y squeezed to [seq, batch, 2H] (bidirectional → Transpose + Reshape).
        var b = new OnnxModelBuilder(14).Input("x", IrDataType.Float, Seq, Batch, In);
        AddWeights(b, "l0", 4, 2, In, Hidden);
        AddWeights(b, "l1", 4, 1, 2 * Hidden, Hidden);
        var model = b
            .Node("LSTM", ["x", "l0_W", "l0_R", "l0_B"], ["y0", "h0", "c0"], attrs: a => a.Int("hidden_size", Hidden).String("direction", "bidirectional"))
            .Node("Transpose", ["y0"], ["y0t"], attrs: a => a.Ints("perm", 0, 2, 1, 3))
            .Initializer("shape", new long[] { 0, 0, -1 }, 3)
            .Node("Reshape", ["y0t", "shape"], ["x1"])
            .Node("LSTM", ["x1", "l1_W", "l1_R", "l1_B"], ["y1", "h1", ""], attrs: a => a.Int("hidden_size", Hidden))
            .Output("y1", IrDataType.Float).Output("h1", IrDataType.Float).Output("c0", IrDataType.Float).Build();
        AssertMatchesOnnxRuntime(model, Inputs(model));
    }

    [TestMethod]
    [DataRow("clip")]
    [DataRow("activations")]
    [DataRow("sequence_lens")]
    [DataRow("peepholes")]
    [DataRow("input_forget")]
    public void InexpressibleFormsAreMb3002(string what)
    {
        var model = what switch
        {
            "clip" => Layer("LSTM", 4, "forward", 0, false, attrs: a => a.Float("clip", 3f)),
            "activations" => Layer("RNN", 1, "forward", 0, false, attrs: a => a.Strings("activations", "Relu")),
            "sequence_lens" => Layer("LSTM", 4, "forward", 0, false, sequenceLens: [Seq, 2, Seq]),
            "peepholes" => Layer("LSTM", 4, "forward", 0, false, peepholes: true),
            _ => Layer("LSTM", 4, "forward", 0, false, attrs: a => a.Int("input_forget", 1)),
        };
        var e = AssertCode.Throws("MB3002", () => Conversion.ModelConverter.Convert(SaveModel(model), new Conversion.ConversionOptions()));
        StringAssert.Contains(e.Message, what == "peepholes" ? "peephole" : what);
        StringAssert.Contains(e.Message, "node 'layer'");
    }

    // ---------------------------------------------------------------- model building

    private static Dictionary<string, TestInput> Inputs(ModelProto model)
    {
        var inputs = RandomInputs(model, seed: 42);
        foreach (var name in inputs.Keys.Where(k => k.StartsWith("layer_", StringComparison.Ordinal)).ToList())
        {
            // Weights given as inputs get the same moderate range as initializers.
            var shape = inputs[name].Shape;
            inputs[name] = new TestInput(shape, TestTensors.Random(name.Length * 7, shape, -0.5f, 0.5f));
        }

        return inputs;
    }

    private static void AddWeights(OnnxModelBuilder b, string prefix, int gates, int dirs, int input, int hidden, bool asInputs = false)
    {
        long[] w = [dirs, gates * hidden, input], r = [dirs, gates * hidden, hidden], bias = [dirs, 2 * gates * hidden];
        if (asInputs)
        {
            b.Input(prefix + "_W", IrDataType.Float, w.Cast<object?>().ToArray())
                .Input(prefix + "_R", IrDataType.Float, r.Cast<object?>().ToArray())
                .Input(prefix + "_B", IrDataType.Float, bias.Cast<object?>().ToArray());
            return;
        }

        b.Initializer(prefix + "_W", TestTensors.Random(prefix.Length + 1, w, -0.5f, 0.5f), w)
            .Initializer(prefix + "_R", TestTensors.Random(prefix.Length + 2, r, -0.5f, 0.5f), r)
            .Initializer(prefix + "_B", TestTensors.Random(prefix.Length + 3, bias, -0.5f, 0.5f), bias);
    }

    /// <summary>One layer named 'layer' with every output a graph output.</summary>
    private static ModelProto Layer(
        string op, int gates, string direction, int layout, bool h0, bool c0 = false, bool weightsAsInputs = false,
        long[]? sequenceLens = null, bool peepholes = false, bool batchFirstByTranspose = false, Action<AttributeBuilder>? attrs = null)
    {
        int dirs = direction == "bidirectional" ? 2 : 1;
        bool batchFirst = layout == 1 || batchFirstByTranspose;
        var b = new OnnxModelBuilder(14);
        b.Input("x", IrDataType.Float, batchFirst ? [Batch, Seq, In] : [Seq, Batch, In]);
        AddWeights(b, "layer", gates, dirs, In, Hidden, weightsAsInputs);
        object?[] stateShape = batchFirst ? [Batch, dirs, Hidden] : [dirs, Batch, Hidden];
        if (h0)
        {
            b.Input("h0", IrDataType.Float, stateShape);
        }

        if (c0)
        {
            b.Input("c0", IrDataType.Float, stateShape);
        }

        if (sequenceLens is not null)
        {
            b.Initializer("lens", sequenceLens.Select(v => (int)v).ToArray(), sequenceLens.Length);
        }

        if (peepholes)
        {
            b.Initializer("P", TestTensors.Random(9, [dirs, 3L * Hidden], -0.5f, 0.5f), dirs, 3 * Hidden);
        }

        string x = "x", hIn = h0 ? "h0" : "", cIn = c0 ? "c0" : "";
        if (batchFirstByTranspose)
        {
            b.Node("Transpose", ["x"], ["x_t"], attrs: a => a.Ints("perm", 1, 0, 2));
            x = "x_t";
            if (h0)
            {
                b.Node("Transpose", ["h0"], ["h0_t"], attrs: a => a.Ints("perm", 1, 0, 2));
                hIn = "h0_t";
            }

            if (c0)
            {
                b.Node("Transpose", ["c0"], ["c0_t"], attrs: a => a.Ints("perm", 1, 0, 2));
                cIn = "c0_t";
            }
        }

        var inputs = new List<string> { x, "layer_W", "layer_R", "layer_B", sequenceLens is null ? "" : "lens", hIn };
        if (op == "LSTM")
        {
            inputs.Add(cIn);
            inputs.Add(peepholes ? "P" : "");
        }

        while (inputs[^1].Length == 0)
        {
            inputs.RemoveAt(inputs.Count - 1);
        }

        string[] outputs = op == "LSTM" ? ["Y", "Y_h", "Y_c"] : ["Y", "Y_h"];
        string[] raw = batchFirstByTranspose ? outputs.Select(o => o + "_raw").ToArray() : outputs;
        b.Node(op, [.. inputs], raw, name: "layer", attrs: a =>
        {
            a.Int("hidden_size", Hidden).String("direction", direction);
            if (layout == 1)
            {
                a.Int("layout", 1);
            }

            attrs?.Invoke(a);
        });
        if (batchFirstByTranspose)
        {
            b.Node("Transpose", ["Y_raw"], ["Y"], attrs: a => a.Ints("perm", 2, 0, 1, 3));
            foreach (var o in outputs.Skip(1))
            {
                b.Node("Transpose", [o + "_raw"], [o], attrs: a => a.Ints("perm", 1, 0, 2));
            }
        }

        foreach (var o in outputs)
        {
            b.Output(o, IrDataType.Float);
        }

        return b.Build();
    }
}
