using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// MaxUnpool(X, I[, output_shape]) as upstream's onnxextra writes it: ScatterNd of the flattened values to the flat
/// indices (MaxPool's Indices count over the whole tensor) into zeros of the output's size, reshaped to the output
/// shape: output_shape when given, else (in − 1)·stride + kernel − pad_begin − pad_end per spatial axis.
/// </summary>
internal static class UnpoolEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("MaxUnpool", 9, MaxUnpool);

    private static void MaxUnpool(ExportContext ctx, Node n)
    {
        var name = n.Out0();
        var kernel = n.GetInts("kernel_shape") ?? throw ctx.Invalid(n, "kernel_shape is required");
        var len = kernel.Length;
        var strides = n.GetInts("strides") ?? [.. Enumerable.Repeat(1L, len)];
        var pads = n.GetInts("pads") ?? new long[2 * len];
        if (strides.Length != len || pads.Length != 2 * len || kernel.Any(k => k < 1) || strides.Any(s => s < 1))
        {
            throw ctx.Invalid(n, $"kernel_shape {Show(kernel)}, strides {Show(strides)} and pads {Show(pads)} do not describe {len} spatial axes");
        }

        int outShape, total;
        if (n.HasInput(2) && ctx.ConstantOf(n, 2) is null)
        {
            outShape = ctx.In(n, 2);
            total = ctx.AddTemp(OpType.Reduction, name + "/size", MnnParams.Reduction(ReductionType.PROD, [0], keepDims: true), outShape);
        }
        else if (n.HasInput(2))
        {
            var dims = ctx.ConstantOf(n, 2)!.ToLongArray();
            outShape = ctx.ConstInts(name + "/out_shape", ConstantBlobs.ToInt32(dims, name), dims.Length);
            total = ctx.ConstInts(name + "/total", [checked((int)dims.Aggregate(1L, (a, b) => a * b))], 1);
        }
        else
        {
            var input = ctx.RequireStaticShape(n, 0, "compute the output shape from kernel_shape, strides and pads");
            if (input.Length != len + 2)
            {
                throw ctx.Invalid(n, $"input rank {input.Length} does not match the {len} spatial axes of kernel_shape");
            }

            var dims = input.Select((d, i) => i < 2 ? d : ((d - 1) * strides[i - 2]) + kernel[i - 2] - pads[i - 2] - pads[i - 2 + len]).ToArray();
            if (dims.Any(d => d < 1))
            {
                throw ctx.Invalid(n, $"the output shape {Show(dims)} has an axis below 1");
            }

            outShape = ctx.ConstInts(name + "/out_shape", ConstantBlobs.ToInt32(dims, name), dims.Length);
            total = ctx.ConstInts(name + "/total", [checked((int)dims.Aggregate(1L, (a, b) => a * b))], 1);
        }

        var indices = ctx.Reshape(name + "/indices", ctx.In(n, 1), ctx.ConstInts(name + "/column", [-1, 1], 2));
        var values = ctx.Reshape(name + "/values", ctx.In(n, 0), ctx.ConstInts(name + "/flat", [-1], 1));
        var scattered = ctx.AddTemp(OpType.ScatterNd, name + "/scatter", null, indices, values, total);
        ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), scattered, outShape);
    }

    private static string Show(long[] v) => $"[{string.Join(",", v)}]";
}
