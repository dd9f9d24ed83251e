using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;
using Convolution = ModelBuild.Runtime.Kernels.Convolution;
using FusedActivation = ModelBuild.Runtime.Kernels.FusedActivation;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Deconvolution / DeconvolutionDepthwise (ONNX ConvTranspose) on NCHW input. Weight layout [ic, oc/group, kh, kw]
/// (parameter, or input 1 with optional bias input 2). Output size (in-1)*stride + dilated kernel - pads + outPads,
/// or in*stride for SAME, or the output-shape input (NHWC order, last input) when hasOutputShape is set.
/// The math is the Kernels library's ConvTranspose2D (GEMM into columns, then col2im in a fixed order).
/// </summary>
[MnnOperator((int)OpType.Deconvolution, (int)OpType.DeconvolutionDepthwise)]
internal sealed class DeconvolutionExecutor : OperatorExecutor
{
    /// <summary>Input as [N, C, H, W] (rank 2/3 inputs padded with 1s), set by Reshape.</summary>
    private int[] _in4 = [];
    private readonly Convolution2DCommonT _common;
    private readonly float[]? _weight;
    private readonly float[]? _bias;
    private int _group, _inChannels, _outChannels, _kh, _kw;
    private int _padTop, _padLeft, _outH, _outW;

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
        var s = _in4 = ComputeSupport.ImageShape(ctx, input, "deconvolution input");
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
        if (_inChannels <= 0 || _outChannels <= 0)
        {
            throw ctx.Error($"deconvolution needs input and output channels, has {_inChannels} → {_outChannels}");
        }

        if (_bias is not null && _bias.Length < _outChannels)
        {
            throw ctx.Error($"bias has {_bias.Length} values, expected {_outChannels}");
        }

        if (_weight is null && ctx.Inputs.Length > 2 && !(_common.HasOutputShape && ctx.Inputs.Length == 3) && ctx.Inputs[2].Length < _outChannels)
        {
            throw ctx.Error($"bias input has {ctx.Inputs[2].Length} values, expected {_outChannels}");
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
        ctx.Outputs[0].Reshape(ComputeSupport.ImageOutput(input, s[0], _outChannels, _outH, _outW), TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var s = _in4;
        ReadOnlySpan<float> weight = _weight ?? ctx.Inputs[1].Floats;
        ReadOnlySpan<float> bias = _bias;
        if (_weight is null && ctx.Inputs.Length > 2 && !(_common.HasOutputShape && ctx.Inputs.Length == 3))
        {
            bias = ctx.Inputs[2].Floats;
        }

        var p = new Conv2DParams
        {
            N = s[0], C = s[1], H = s[2], W = s[3], OC = _outChannels,
            KH = _kh, KW = _kw, StrideH = _common.StrideY, StrideW = _common.StrideX,
            DilationH = _common.DilateY, DilationW = _common.DilateX, Group = _group,
            PadTop = _padTop, PadLeft = _padLeft, OutH = _outH, OutW = _outW,
            Activation = _common.Relu6 ? FusedActivation.Relu6 : _common.Relu ? FusedActivation.Relu : FusedActivation.None,
        };
        Convolution.ConvTranspose2D(ctx.Isa, p, input.Floats, weight, bias, ctx.Outputs[0].Floats, ctx.Threads);
    }
}
