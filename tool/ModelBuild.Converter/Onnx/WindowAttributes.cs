using ModelBuild.Converter.Graph;

namespace ModelBuild.Converter.Onnx;

/// <summary>
/// Import-time checks of the sliding-window attributes of Conv, ConvTranspose, MaxPool, AveragePool and LpPool,
/// before shape inference or export read them: kernel_shape, strides and dilations in 1..<see cref="MaxWindow"/>,
/// pads and output_padding in 0..<see cref="MaxWindow"/>, group ≥ 1 and dividing the weight's channels. MB1010
/// naming the node, the attribute and its value; later stages can then rely on sane values.
/// </summary>
internal static class WindowAttributes
{
    /// <summary>Largest kernel, stride, dilation or pad accepted: far above any real network, far below overflow.</summary>
    public const long MaxWindow = 1 << 20;

    public static void Validate(ModelGraph g, Node n)
    {
        if (n.Domain is not ("" or "ai.onnx") || n.OpType is not ("Conv" or "ConvTranspose" or "MaxPool" or "AveragePool" or "LpPool"))
        {
            return;
        }

        Range(g, n, "kernel_shape", 1);
        Range(g, n, "strides", 1);
        Range(g, n, "dilations", 1);
        Range(g, n, "pads", 0);
        if (n.OpType == "ConvTranspose")
        {
            Range(g, n, "output_padding", 0);
        }

        if (n.OpType is "Conv" or "ConvTranspose")
        {
            Group(g, n);
        }
    }

    private static void Range(ModelGraph g, Node n, string name, long min)
    {
        if (!n.Has(name))
        {
            return;
        }

        var values = n.GetInts(name) ?? throw Bad(g, n, name, "is not a list of integers");
        if (values.Any(v => v < min || v > MaxWindow))
        {
            throw Bad(g, n, name, $"is [{string.Join(",", values)}]; each value must be between {min} and {MaxWindow}");
        }
    }

    /// <summary>group ≥ 1; with a constant weight it must divide the output (Conv) or input (ConvTranspose) channels.</summary>
    private static void Group(ModelGraph g, Node n)
    {
        if (!n.Has("group"))
        {
            return;
        }

        var group = n.GetInt("group", 1);
        if (group < 1 || group > int.MaxValue)
        {
            throw Bad(g, n, "group", $"is {group}; it must be a positive number of channel groups");
        }

        if (n.Inputs.Count < 2 || !g.Values.TryGetValue(n.Inputs[1], out var w) || w.Constant is not { Shape.Length: >= 3 } weight)
        {
            return;
        }

        // Conv weight [M, C/group, k...]: M splits into groups; ConvTranspose weight [C, M/group, k...]: C does
        var channels = weight.Shape[0];
        var role = n.OpType == "Conv" ? "output" : "input";
        if (channels % group != 0)
        {
            throw Bad(g, n, "group", $"is {group}, which does not divide the weight's {channels} {role} channels");
        }
    }

    private static ModelBuildException Bad(ModelGraph g, Node n, string attribute, string why) =>
        new(ErrorCodes.OnnxInvalidAttribute, $"{g.Describe(n)}: attribute '{attribute}' {why}");
}
