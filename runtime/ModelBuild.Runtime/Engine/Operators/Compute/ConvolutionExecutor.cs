using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Convolution / ConvolutionDepthwise on NCHW input: weight [oc, ic/group, kh, kw] and bias from the op's
/// parameter, or (when the parameter has none) from inputs 1 and 2. Grouped convolution runs im2col + GEMM per
/// group (1x1 stride-1 unpadded reads the input directly); depthwise runs a direct loop. Fused relu/relu6 applied.
/// </summary>
[MnnOperator((int)OpType.Convolution, (int)OpType.ConvolutionDepthwise)]
internal sealed class ConvolutionExecutor : OperatorExecutor
{
    private readonly OpT _op;
    private readonly Convolution2DCommonT _common;
    private readonly float[]? _weight;
    private readonly float[]? _bias;
    private WindowAxis _y;
    private WindowAxis _x;
    private int _group;
    private int _outChannels;
    private float[] _columns = [];

    public ConvolutionExecutor(OpT op)
    {
        _op = op;
        var conv = ComputeSupport.Param<Convolution2DT>(op);
        _common = conv.Common ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}' ({op.Type}): Convolution2D has no common parameters");
        if (conv.Weight is { Count: > 0 })
        {
            _weight = [.. conv.Weight];
            _bias = conv.Bias is { Count: > 0 } ? [.. conv.Bias] : null;
        }
        else if (conv.QuanParameter is not null || conv.SymmetricQuan is not null)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}' ({op.Type}): quantized convolution weights are not supported");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = ComputeSupport.RequireRank(ctx, input, 4, "convolution input");
        _group = Math.Max(1, _common.Group);
        int kh = _common.KernelY, kw = _common.KernelX;
        int weightCount;
        if (_weight is null)
        {
            var w = ComputeSupport.FloatInput(ctx, 1);
            var ws = ComputeSupport.RequireRank(ctx, w, 4, "convolution weight input");
            _outChannels = ws[0];
            kh = ws[2];
            kw = ws[3];
            weightCount = w.Length;
            if ((long)ws[1] * _group != s[1])
            {
                throw ctx.Error($"weight {ComputeSupport.ShapeText(ws)} with group {_group} does not match input channels {s[1]}");
            }

            if (ctx.Inputs.Length > 2 && ctx.Inputs[2].Length != _outChannels)
            {
                throw ctx.Error($"bias has {ctx.Inputs[2].Length} values, expected {_outChannels}");
            }
        }
        else
        {
            weightCount = _weight.Length;
            long perOut = (long)(s[1] / _group) * kh * kw;
            if (s[1] % _group != 0 || perOut == 0 || weightCount % perOut != 0)
            {
                throw ctx.Error($"input {ComputeSupport.ShapeText(s)} does not match {weightCount} weights (group {_group}, kernel {kh}x{kw})");
            }

            _outChannels = (int)(weightCount / perOut);
            if (_common.OutputCount > 0 && _common.OutputCount != _outChannels)
            {
                throw ctx.Error($"weights give {_outChannels} output channels, parameter says {_common.OutputCount}");
            }
        }

        if (_outChannels % _group != 0)
        {
            throw ctx.Error($"{_outChannels} output channels are not divisible by group {_group}");
        }

        var (top, left, bottom, right) = ConvGeometry.ExplicitPads(_common);
        _y = ConvGeometry.Convolution(ctx, s[2], kh, _common.StrideY, _common.DilateY, _common.PadMode, top, bottom);
        _x = ConvGeometry.Convolution(ctx, s[3], kw, _common.StrideX, _common.DilateX, _common.PadMode, left, right);
        ctx.Outputs[0].Reshape([s[0], _outChannels, _y.Out, _x.Out], TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var output = ctx.Outputs[0];
        var s = input.ShapeArray;
        float[] weight = _weight ?? ctx.Inputs[1].Floats.ToArray();
        float[]? bias = _weight is null ? (ctx.Inputs.Length > 2 ? ctx.Inputs[2].Floats.ToArray() : null) : _bias;
        int batch = s[0], channels = s[1], h = s[2], w = s[3];
        int icg = channels / _group, ocg = _outChannels / _group;
        int kh = _y.Kernel, kw = _x.Kernel;
        int outPlane = _y.Out * _x.Out;
        float[] src = input.FloatBuffer, dst = output.FloatBuffer;

        if (icg == 1 && ocg == 1)
        {
            Depthwise(ctx, src, dst, weight, bias, batch, channels, h, w);
        }
        else
        {
            int kSize = icg * kh * kw;
            bool direct = kh == 1 && kw == 1 && _y.Stride == 1 && _x.Stride == 1 && _y.PadBegin == 0 && _x.PadBegin == 0
                && _y.Out == h && _x.Out == w;
            if (!direct && _columns.Length < (long)kSize * outPlane)
            {
                _columns = new float[ComputeSupport.CheckedInt(ctx, (long)kSize * outPlane, "im2col buffer")];
            }

            for (int n = 0; n < batch; n++)
            {
                for (int g = 0; g < _group; g++)
                {
                    int inOffset = (n * channels + g * icg) * h * w;
                    float[] b = src;
                    int bOffset = inOffset;
                    if (!direct)
                    {
                        Im2Col(src, inOffset, icg, h, w, _columns, ctx.Threads);
                        b = _columns;
                        bOffset = 0;
                    }

                    float[]? groupBias = bias is null ? null : bias.AsSpan(g * ocg, ocg).ToArray();
                    ComputeGemm.Multiply(
                        weight, g * ocg * kSize, kSize,
                        b, bOffset, outPlane,
                        dst, (n * _outChannels + g * ocg) * outPlane, outPlane,
                        ocg, outPlane, kSize, groupBias, null, ctx.Threads);
                }
            }
        }

        ComputeGemm.Activate(output.Floats, _common.Relu, _common.Relu6);
    }

    /// <summary>cols[(c*kh + ky)*kw + kx, oy*ow + ox] = input[c, oy*sy - py + ky*dy, ox*sx - px + kx*dx] or 0.</summary>
    private void Im2Col(float[] src, int inOffset, int icg, int h, int w, float[] cols, int threads)
    {
        var y = _y;
        var x = _x;
        int outPlane = y.Out * x.Out;
        ComputeSupport.For(threads, icg * y.Kernel, row =>
        {
            int c = row / y.Kernel, ky = row % y.Kernel;
            int plane = inOffset + c * h * w;
            for (int kx = 0; kx < x.Kernel; kx++)
            {
                int colRow = (row * x.Kernel + kx) * outPlane;
                for (int oy = 0; oy < y.Out; oy++)
                {
                    int iy = oy * y.Stride - y.PadBegin + ky * y.Dilation;
                    int o = colRow + oy * x.Out;
                    if ((uint)iy >= (uint)h)
                    {
                        cols.AsSpan(o, x.Out).Clear();
                        continue;
                    }

                    int line = plane + iy * w;
                    for (int ox = 0; ox < x.Out; ox++)
                    {
                        int ix = ox * x.Stride - x.PadBegin + kx * x.Dilation;
                        cols[o + ox] = (uint)ix < (uint)w ? src[line + ix] : 0f;
                    }
                }
            }
        });
    }

    private void Depthwise(OpContext ctx, float[] src, float[] dst, float[] weight, float[]? bias, int batch, int channels, int h, int w)
    {
        var y = _y;
        var x = _x;
        int kh = y.Kernel, kw = x.Kernel;
        ComputeSupport.For(ctx.Threads, batch * channels, nc =>
        {
            int c = nc % channels;
            int inBase = nc * h * w;
            int outBase = nc * y.Out * x.Out;
            int wBase = c * kh * kw;
            float b0 = bias is null ? 0f : bias[c];
            for (int oy = 0; oy < y.Out; oy++)
            {
                for (int ox = 0; ox < x.Out; ox++)
                {
                    float acc = b0;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * y.Stride - y.PadBegin + ky * y.Dilation;
                        if ((uint)iy >= (uint)h)
                        {
                            continue;
                        }

                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ox * x.Stride - x.PadBegin + kx * x.Dilation;
                            if ((uint)ix < (uint)w)
                            {
                                acc = MathF.FusedMultiplyAdd(weight[wBase + ky * kw + kx], src[inBase + iy * w + ix], acc);
                            }
                        }
                    }

                    dst[outBase + oy * x.Out + ox] = acc;
                }
            }
        });
    }
}
