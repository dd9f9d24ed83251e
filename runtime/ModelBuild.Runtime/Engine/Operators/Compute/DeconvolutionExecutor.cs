using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Deconvolution / DeconvolutionDepthwise (ONNX ConvTranspose) on NCHW input. Weight layout [ic, oc/group, kh, kw]
/// (parameter, or input 1 with optional bias input 2). Output size (in-1)*stride + dilated kernel - pads + outPads,
/// or in*stride for SAME, or the output-shape input (NHWC order, last input) when hasOutputShape is set.
/// Computed as GEMM (transposed weight × input) followed by a col2im scatter in a fixed order.
/// </summary>
[MnnOperator((int)OpType.Deconvolution, (int)OpType.DeconvolutionDepthwise)]
internal sealed class DeconvolutionExecutor : OperatorExecutor
{
    private readonly Convolution2DCommonT _common;
    private readonly float[]? _weight;
    private readonly float[]? _bias;
    private float[]? _packed; // [group][ocg*kh*kw, icg]
    private int _group, _inChannels, _outChannels, _kh, _kw;
    private int _padTop, _padLeft, _outH, _outW;
    private float[] _columns = [];

    public DeconvolutionExecutor(OpT op)
    {
        var conv = ComputeSupport.Param<Convolution2DT>(op);
        _common = conv.Common ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}' ({op.Type}): Convolution2D has no common parameters");
        if (conv.Weight is { Count: > 0 })
        {
            _weight = [.. conv.Weight];
            _bias = conv.Bias is { Count: > 0 } ? [.. conv.Bias] : null;
        }
    }

    public override bool ShapeDependsOnInputValues => _common.HasOutputShape;

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = ComputeSupport.RequireRank(ctx, input, 4, "deconvolution input");
        _group = Math.Max(1, _common.Group);
        _inChannels = s[1];
        if (_inChannels % _group != 0)
        {
            throw ctx.Error($"input channels {_inChannels} not divisible by group {_group}");
        }

        int icg = _inChannels / _group;
        int ocg;
        if (_weight is null)
        {
            var ws = ComputeSupport.RequireRank(ctx, ComputeSupport.FloatInput(ctx, 1), 4, "deconvolution weight input");
            if (ws[0] != _inChannels)
            {
                throw ctx.Error($"weight {ComputeSupport.ShapeText(ws)} does not match input channels {_inChannels}");
            }

            ocg = ws[1];
            _kh = ws[2];
            _kw = ws[3];
        }
        else
        {
            _kh = _common.KernelY;
            _kw = _common.KernelX;
            long perIn = (long)_kh * _kw;
            if (perIn <= 0 || _weight.Length % (perIn * _inChannels) != 0)
            {
                throw ctx.Error($"{_weight.Length} weights do not match input channels {_inChannels} and kernel {_kh}x{_kw}");
            }

            ocg = (int)(_weight.Length / (perIn * _inChannels));
        }

        _outChannels = ocg * _group;
        if (_bias is not null && _bias.Length < _outChannels)
        {
            throw ctx.Error($"bias has {_bias.Length} values, expected {_outChannels}");
        }

        int sy = _common.StrideY, sx = _common.StrideX, dy = _common.DilateY, dx = _common.DilateX;
        if (sy <= 0 || sx <= 0 || dy <= 0 || dx <= 0 || _kh <= 0 || _kw <= 0)
        {
            throw ctx.Error("invalid deconvolution stride, dilation or kernel");
        }

        long dkh = (long)(_kh - 1) * dy + 1, dkw = (long)(_kw - 1) * dx + 1;
        long fullH = (long)(s[2] - 1) * sy + dkh, fullW = (long)(s[3] - 1) * sx + dkw;
        var (top, left, bottom, right) = ConvGeometry.ExplicitPads(_common);
        long outH, outW;
        int requestedH = 0, requestedW = 0;
        if (_common.HasOutputShape && ctx.Inputs.Length >= 2 && ctx.Inputs[^1].ElementType == TensorElementType.Int32 && ctx.Inputs[^1].Length >= 3)
        {
            var shape = ctx.Inputs[^1].Ints;
            requestedH = shape[1];
            requestedW = shape[2];
        }

        if (requestedH > 0 && requestedW > 0)
        {
            outH = requestedH;
            outW = requestedW;
            if (_common.PadMode == PadMode.SAME)
            {
                top = (int)Math.Max(0, (fullH - outH) / 2);
                left = (int)Math.Max(0, (fullW - outW) / 2);
            }
        }
        else if (_common.PadMode == PadMode.SAME)
        {
            outH = (long)s[2] * sy;
            outW = (long)s[3] * sx;
            top = (int)Math.Max(0, (fullH - outH) / 2);
            left = (int)Math.Max(0, (fullW - outW) / 2);
        }
        else if (_common.PadMode == PadMode.VALID)
        {
            outH = fullH;
            outW = fullW;
            top = left = 0;
        }
        else
        {
            outH = fullH - top - bottom;
            outW = fullW - left - right;
            if (_common.OutPads is { Count: >= 2 })
            {
                outH += _common.OutPads[0];
                outW += _common.OutPads[1];
            }
        }

        if (outH <= 0 || outW <= 0 || outH > int.MaxValue || outW > int.MaxValue)
        {
            throw ctx.Error($"deconvolution output size {outH}x{outW} is invalid for input {ComputeSupport.ShapeText(s)}");
        }

        _padTop = top;
        _padLeft = left;
        _outH = (int)outH;
        _outW = (int)outW;
        if (_weight is not null && _packed is null)
        {
            _packed = Pack(_weight, icg, ocg);
        }

        ctx.Outputs[0].Reshape([s[0], _outChannels, _outH, _outW], TensorElementType.Float32);
    }

    /// <summary>Weight [ic, ocg, kh, kw] → per group A[(oc*kh + ky)*kw + kx, ic] so that cols = A × input.</summary>
    private float[] Pack(float[] weight, int icg, int ocg)
    {
        int kk = _kh * _kw;
        var packed = new float[weight.Length];
        for (int g = 0; g < _group; g++)
        {
            int gBase = g * icg * ocg * kk;
            for (int ic = 0; ic < icg; ic++)
            {
                for (int oc = 0; oc < ocg; oc++)
                {
                    for (int k = 0; k < kk; k++)
                    {
                        packed[gBase + (oc * kk + k) * icg + ic] = weight[gBase + (ic * ocg + oc) * kk + k];
                    }
                }
            }
        }

        return packed;
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var s = input.ShapeArray;
        int batch = s[0], h = s[2], w = s[3], plane = h * w;
        int icg = _inChannels / _group, ocg = _outChannels / _group;
        float[] packed = _packed ?? Pack(ctx.Inputs[1].Floats.ToArray(), icg, ocg);
        float[]? bias = _bias;
        if (_weight is null && ctx.Inputs.Length > 2 && !(_common.HasOutputShape && ctx.Inputs.Length == 3))
        {
            bias = ctx.Inputs[2].Floats.ToArray();
        }

        int rows = ocg * _kh * _kw;
        long colSize = (long)rows * plane;
        if (_columns.Length < colSize)
        {
            _columns = new float[ComputeSupport.CheckedInt(ctx, colSize, "deconvolution buffer")];
        }

        float[] src = input.FloatBuffer, dst = ctx.Outputs[0].FloatBuffer, cols = _columns;
        int outPlane = _outH * _outW;
        int kh = _kh, kw = _kw, sy = _common.StrideY, sx = _common.StrideX, dy = _common.DilateY, dx = _common.DilateX;
        int pt = _padTop, pl = _padLeft, oh = _outH, ow = _outW;
        for (int n = 0; n < batch; n++)
        {
            for (int g = 0; g < _group; g++)
            {
                ComputeGemm.Multiply(
                    packed, g * rows * icg, icg,
                    src, (n * _inChannels + g * icg) * plane, plane,
                    cols, 0, plane, rows, plane, icg, null, null, ctx.Threads);
                int outBase = (n * _outChannels + g * ocg) * outPlane;
                int biasBase = g * ocg;
                ComputeSupport.For(ctx.Threads, ocg, oc =>
                {
                    var o = dst.AsSpan(outBase + oc * outPlane, outPlane);
                    o.Fill(bias is null ? 0f : bias[biasBase + oc]);
                    for (int ky = 0; ky < kh; ky++)
                    {
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int colRow = ((oc * kh + ky) * kw + kx) * plane;
                            for (int iy = 0; iy < h; iy++)
                            {
                                int y = iy * sy - pt + ky * dy;
                                if ((uint)y >= (uint)oh)
                                {
                                    continue;
                                }

                                for (int ix = 0; ix < w; ix++)
                                {
                                    int x = ix * sx - pl + kx * dx;
                                    if ((uint)x < (uint)ow)
                                    {
                                        o[y * ow + x] += cols[colRow + iy * w + ix];
                                    }
                                }
                            }
                        }
                    }
                });
            }
        }

        ComputeGemm.Activate(ctx.Outputs[0].Floats, _common.Relu, _common.Relu6);
    }
}
