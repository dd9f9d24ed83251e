using ModelBuild.Converter.Tests.Infrastructure;
using DataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Parity;

/// <summary>
/// A tiny style-transfer-like net: conv1 (valid 3x3) → in1 → relu1 → conv2 (3x3, pad 1) → in2 (epsilon 1e-2) →
/// up (nearest ×2) → conv3 (1x1) → "output". conv1 has no padding, so an all-zero or all-one input makes in1's
/// input constant per channel (zero variance), like the real mosaic net.
/// </summary>
internal static class MosaicLikeNet
{
    public const int Size = 12;

    public static string Save(string directory)
    {
        var b = new OnnxModelBuilder(opset: 13, graphName: "mosaic_like");
        b.Input("input", DataType.Float, 1, 3, Size, Size).Output("output", DataType.Float, 1, 3, 2 * (Size - 2), 2 * (Size - 2));
        Conv(b, "conv1", "input", "c1", 3, 6, 3, 0, seed: 1);
        Norm(b, "in1", "c1", "n1", 6, 1e-5f, seed: 2);
        b.Node("Relu", ["n1"], ["r1"], "relu1");
        Conv(b, "conv2", "r1", "c2", 6, 6, 3, 1, seed: 3);
        Norm(b, "in2", "c2", "n2", 6, 1e-2f, seed: 4);
        b.Initializer("up_scales", [1f, 1f, 2f, 2f], 4);
        b.Node("Resize", ["n2", "", "up_scales"], ["u"], "up", a => a.String("mode", "nearest").String("coordinate_transformation_mode", "asymmetric").String("nearest_mode", "floor"));
        Conv(b, "conv3", "u", "output", 6, 3, 1, 0, seed: 5);
        return b.Save(Path.Combine(directory, "mosaic_like.onnx"));
    }

    private static void Conv(OnnxModelBuilder b, string name, string x, string y, int cin, int cout, int k, int pad, int seed)
    {
        var w = TestTensors.Random(seed, new long[] { cout, cin, k, k }, -0.5f, 0.5f);
        var bias = TestTensors.Random(seed + 100, new long[] { cout }, -0.2f, 0.2f);
        b.Initializer(name + ".w", w, cout, cin, k, k).Initializer(name + ".b", bias, cout);
        b.Node("Conv", [x, name + ".w", name + ".b"], [y], name, a => a.Ints("kernel_shape", k, k).Ints("pads", pad, pad, pad, pad).Ints("strides", 1, 1));
    }

    private static void Norm(OnnxModelBuilder b, string name, string x, string y, int channels, float epsilon, int seed)
    {
        b.Initializer(name + ".scale", TestTensors.Random(seed, new long[] { channels }, 0.5f, 1.5f), channels);
        b.Initializer(name + ".bias", TestTensors.Random(seed + 100, new long[] { channels }, -0.3f, 0.3f), channels);
        b.Node("InstanceNormalization", [x, name + ".scale", name + ".bias"], [y], name, a => a.Float("epsilon", epsilon));
    }
}
