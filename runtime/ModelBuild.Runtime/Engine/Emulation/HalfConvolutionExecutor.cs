using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;
using FusedActivation = ModelBuild.Runtime.Kernels.FusedActivation;

namespace ModelBuild.Runtime.Engine.Emulation;

/// <summary>
/// Convolution / ConvolutionDepthwise of an fp16-emulating session: the float executor checks the op and sets the
/// output shape (its Reshape), the arithmetic is <see cref="HalfConv"/> (fp16 accumulation as MNN's ARM82 kernels).
/// </summary>
internal sealed class HalfConvolutionExecutor : OperatorExecutor
{
    private readonly OperatorExecutor _inner;
    private readonly Convolution2DCommonT _common;
    private readonly float[]? _weight;
    private readonly float[]? _bias;
    private Conv2DParams _p = new();

    public HalfConvolutionExecutor(OpT op, OperatorExecutor inner)
    {
        _inner = inner;
        var conv = ComputeSupport.Param<Convolution2DT>(op);
        _common = conv.Common ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}' ({op.Type}): Convolution2D has no common parameters");
        if (conv.Weight is { Count: > 0 })
        {
            _weight = [.. conv.Weight];
            _bias = conv.Bias is { Count: > 0 } ? [.. conv.Bias] : null;
        }
    }

    public override bool ShapeDependsOnInputValues => _inner.ShapeDependsOnInputValues;

    public override bool ShapeReadsOnlyParameterValues => _inner.ShapeReadsOnlyParameterValues;

    public override void Reshape(OpContext ctx)
    {
        _inner.Reshape(ctx); // validates everything below
        var s = ComputeSupport.ImageShape(ctx, ctx.Inputs[0], "convolution input");
        int group = Math.Max(1, _common.Group);
        int kh = _common.KernelY, kw = _common.KernelX, oc;
        if (_weight is null)
        {
            var ws = ctx.Inputs[1].ShapeArray;
            (oc, kh, kw) = (ws[0], ws[2], ws[3]);
        }
        else
        {
            oc = (int)(_weight.Length / ((long)(s[1] / group) * kh * kw));
        }

        var (top, left, bottom, right) = ConvGeometry.ExplicitPads(_common);
        var y = ConvGeometry.Convolution(ctx, s[2], kh, _common.StrideY, _common.DilateY, _common.PadMode, top, bottom);
        var x = ConvGeometry.Convolution(ctx, s[3], kw, _common.StrideX, _common.DilateX, _common.PadMode, left, right);
        _p = new Conv2DParams
        {
            N = s[0], C = s[1], H = s[2], W = s[3], OC = oc, KH = kh, KW = kw,
            StrideH = y.Stride, StrideW = x.Stride, DilationH = y.Dilation, DilationW = x.Dilation, Group = group,
            PadTop = y.PadBegin, PadLeft = x.PadBegin, OutH = y.Out, OutW = x.Out,
            Activation = _common.Relu6 ? FusedActivation.Relu6 : _common.Relu ? FusedActivation.Relu : FusedActivation.None,
        };
    }

    public override void Execute(OpContext ctx)
    {
        ReadOnlySpan<float> weight = _weight ?? ctx.Inputs[1].Floats;
        ReadOnlySpan<float> bias = _weight is null
            ? (ctx.Inputs.Length > 2 ? ctx.Inputs[2].Floats : default)
            : _bias;
        HalfConv.Conv2D(ctx.Isa, _p, ctx.Inputs[0].Floats, weight, bias, ctx.Outputs[0].Floats, ctx.Threads);
    }
}
