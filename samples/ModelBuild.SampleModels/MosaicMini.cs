using ModelBuild.Converter.Onnx.Proto;
using static ModelBuild.SampleModels.GraphWriter;

namespace ModelBuild.SampleModels;

/// <summary>
/// A miniature of the "mosaic" fast style-transfer network (Johnson et al.), same layer pattern at toy width:
/// Conv 9x9 → InstanceNorm → Relu → strided Conv → InstanceNorm → Relu → 2 residual blocks (Conv → IN → Relu →
/// Conv → IN, + skip via Add) → nearest Resize ×2 → Conv → IN → Relu → Conv 9x9. Input "input" 1x3x64x64 in
/// 0..255, output "output" 1x3x64x64. Opset 13, every InstanceNormalization with an explicit epsilon 1e-5.
/// Weights are seeded He-normal so activations stay in a sensible range.
/// </summary>
public static class MosaicMini
{
    public const int Size = 64;
    public const ulong WeightSeed = 20240601;

    public static ModelProto Build()
    {
        var graph = new GraphProto { Name = "mosaic_mini" };
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ModelBuild.SampleModels",
            ProducerVersion = "1",
            DocString = "Miniature mosaic-style transfer net with seeded random weights (sample for ModelBuild).",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        graph.Input.Add(FloatValue("input", 1, 3, Size, Size));
        graph.Output.Add(FloatValue("output", 1, 3, Size, Size));

        var w = new GraphWriter(graph);
        var rng = new SeededRandom(WeightSeed);
        var x = "input";
        x = ConvNormRelu(w, rng, "conv1", x, 3, 8, 9, 1);
        x = ConvNormRelu(w, rng, "conv2", x, 8, 16, 3, 2);
        x = Residual(w, rng, "res1", x, 16);
        x = Residual(w, rng, "res2", x, 16);

        var scales = w.Initializer("up_scales", [1f, 1f, 2f, 2f], 4);
        x = w.Node("Resize", "up", [x, "", scales],
            String("mode", "nearest"),
            String("coordinate_transformation_mode", "asymmetric"),
            String("nearest_mode", "floor"),
            Float("cubic_coeff_a", -0.75f),
            Int("exclude_outside", 0),
            Float("extrapolation_value", 0f));
        x = ConvNormRelu(w, rng, "deconv1", x, 16, 8, 3, 1);
        x = Conv(w, rng, "deconv2", x, 8, 3, 9, 1);

        // Name the last node's output "output" (the graph output) instead of the default "<node>_out".
        graph.Node[^1].Output[0] = "output";
        return model;
    }

    private static string Conv(GraphWriter w, SeededRandom rng, string name, string x, int cin, int cout, int k, int stride)
    {
        var fanIn = cin * k * k;
        var std = Math.Sqrt(2.0 / fanIn);
        var weights = new float[cout * fanIn];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(rng.NextGaussian() * std);
        }

        var bias = new float[cout];
        for (var i = 0; i < bias.Length; i++)
        {
            bias[i] = (float)(rng.NextGaussian() * 0.1);
        }

        var wName = w.Initializer($"{name}.weight", weights, cout, cin, k, k);
        var bName = w.Initializer($"{name}.bias", bias, cout);
        var pad = k / 2;
        return w.Node("Conv", name, [x, wName, bName],
            Ints("kernel_shape", k, k), Ints("strides", stride, stride), Ints("pads", pad, pad, pad, pad),
            Ints("dilations", 1, 1), Int("group", 1));
    }

    private static string Norm(GraphWriter w, SeededRandom rng, string name, string x, int channels)
    {
        var scale = new float[channels];
        var bias = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = (float)(1.0 + rng.NextGaussian() * 0.1);
            bias[c] = (float)(rng.NextGaussian() * 0.1);
        }

        var s = w.Initializer($"{name}.scale", scale, channels);
        var b = w.Initializer($"{name}.bias", bias, channels);
        return w.Node("InstanceNormalization", name, [x, s, b], Float("epsilon", 1e-5f));
    }

    private static string ConvNormRelu(GraphWriter w, SeededRandom rng, string name, string x, int cin, int cout, int k, int stride)
    {
        x = Conv(w, rng, name, x, cin, cout, k, stride);
        x = Norm(w, rng, $"{name}_in", x, cout);
        return w.Node("Relu", $"{name}_relu", [x]);
    }

    private static string Residual(GraphWriter w, SeededRandom rng, string name, string x, int channels)
    {
        var y = ConvNormRelu(w, rng, $"{name}_conv1", x, channels, channels, 3, 1);
        y = Conv(w, rng, $"{name}_conv2", y, channels, channels, 3, 1);
        y = Norm(w, rng, $"{name}_conv2_in", y, channels);
        return w.Node("Add", $"{name}_add", [x, y]);
    }
}
