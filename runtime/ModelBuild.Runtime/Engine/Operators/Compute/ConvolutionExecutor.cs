using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;
using Convolution = ModelBuild.Runtime.Kernels.Convolution;
using FusedActivation = ModelBuild.Runtime.Kernels.FusedActivation;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Convolution / ConvolutionDepthwise on NCHW input: weight [oc, ic/group, kh, kw] and bias from the op's
/// parameter, or (when the parameter has none) from inputs 1 and 2. Geometry follows upstream's shape rules
/// (<see cref="ConvGeometry"/>); the math is the Kernels library's Conv2D (depthwise / 1x1 / im2col + GEMM paths)
/// with the fused relu/relu6 of common.relu/relu6, or Winograd F(4,3) for constant 3x3 stride-1 weights where
/// <see cref="WinogradConv.Preferred"/> says it is faster, or F(2,3) for small outputs (<see cref="WinogradSmallPlane"/>).
/// </summary>
[MnnOperator((int)OpType.Convolution, (int)OpType.ConvolutionDepthwise)]
internal sealed class ConvolutionExecutor : OperatorExecutor
{
    /// <summary>Input as [N, C, H, W] (rank 2/3 inputs padded with 1s), set by Reshape.</summary>
    private int[] _in4 = [];
    private readonly OpT _op;
    private readonly Convolution2DCommonT _common;
    private readonly float[]? _weight;
    private readonly float[]? _bias;
    private WindowAxis _y;
    private WindowAxis _x;
    private int _group;
    private int _outChannels;
    /// <summary>Constant weights packed for the GEMM paths on first use (re-packed only if the geometry changes).</summary>
    private ConvPackedWeights? _packed;
    /// <summary>Constant 3x3 weights transformed for Winograd on first use, when that path is chosen.</summary>
    private WinogradWeights? _winograd;
    /// <summary>The same for the F(2,3) path of small outputs (<see cref="WinogradSmallPlane.Preferred"/>).</summary>
    private WinogradSmallWeights? _winogradSmall;

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
        var s = _in4 = ComputeSupport.ImageShape(ctx, input, "convolution input");
        _group = Math.Max(1, _common.Group);
        if (s[1] <= 0)
        {
            throw ctx.Error($"convolution input {ComputeSupport.ShapeText(s)} has no channels");
        }

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

        if (_bias is not null && _bias.Length < _outChannels)
        {
            throw ctx.Error($"bias has {_bias.Length} values, expected {_outChannels}");
        }

        if (_outChannels % _group != 0)
        {
            throw ctx.Error($"{_outChannels} output channels are not divisible by group {_group}");
        }

        var (top, left, bottom, right) = ConvGeometry.ExplicitPads(_common);
        _y = ConvGeometry.Convolution(ctx, s[2], kh, _common.StrideY, _common.DilateY, _common.PadMode, top, bottom);
        _x = ConvGeometry.Convolution(ctx, s[3], kw, _common.StrideX, _common.DilateX, _common.PadMode, left, right);
        ctx.Outputs[0].Reshape(ComputeSupport.ImageOutput(input, s[0], _outChannels, _y.Out, _x.Out), TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var s = _in4;
        ReadOnlySpan<float> weight = _weight ?? ctx.Inputs[1].Floats;
        ReadOnlySpan<float> bias = _weight is null
            ? (ctx.Inputs.Length > 2 ? ctx.Inputs[2].Floats : default)
            : _bias;
        var p = new Conv2DParams
        {
            N = s[0], C = s[1], H = s[2], W = s[3], OC = _outChannels,
            KH = _y.Kernel, KW = _x.Kernel, StrideH = _y.Stride, StrideW = _x.Stride,
            DilationH = _y.Dilation, DilationW = _x.Dilation, Group = _group,
            PadTop = _y.PadBegin, PadLeft = _x.PadBegin,
            PadBottom = EndPad(_y, s[2]), PadRight = EndPad(_x, s[3]),
            OutH = _y.Out, OutW = _x.Out,
            Activation = _common.Relu6 ? FusedActivation.Relu6 : _common.Relu ? FusedActivation.Relu : FusedActivation.None,
        };
        if (_weight is not null && WinogradConv.Preferred(p))
        {
            WinogradWeights? wg = _winograd;
            if (wg is null || wg.C != p.C || wg.OC != p.OC)
            {
                wg = WinogradConv.TransformWeights(p, weight);
                _winograd = wg; // racing runs build identical transforms; either may win
            }

            WinogradConv.Conv2D(ctx.Isa, p, input.Floats, wg, bias, ctx.Outputs[0].Floats, ctx.Threads);
            return;
        }

        if (_weight is not null && WinogradSmallPlane.Preferred(p))
        {
            WinogradSmallWeights? ws = _winogradSmall;
            if (ws is null || ws.C != p.C || ws.OC != p.OC)
            {
                ws = WinogradSmallPlane.TransformWeights(p, weight);
                _winogradSmall = ws; // racing runs build identical transforms; either may win
            }

            WinogradSmallPlane.Conv2D(ctx.Isa, p, input.Floats, ws, bias, ctx.Outputs[0].Floats, ctx.Threads);
            return;
        }

        ConvPackedWeights? packed = null;
        if (_weight is not null && !(p.Group == p.C && p.OC % p.C == 0 && p.C / p.Group == 1))
        {
            packed = _packed;
            if (packed is null || packed.Group != p.Group || packed.OC != p.OC || packed.K != (p.C / p.Group) * p.KH * p.KW)
            {
                packed = Convolution.PackWeights(p, weight);
                _packed = packed; // racing runs build identical packs; either may win
            }
        }

        Convolution.Conv2D(ctx.Isa, p, input.Floats, weight, bias, ctx.Outputs[0].Floats, ctx.Threads, packed);
    }

    /// <summary>Padding after the input that the last window reaches into (0 when it stays inside).</summary>
    private static int EndPad(WindowAxis a, int input) =>
        (int)Math.Max(0, (long)(a.Out - 1) * a.Stride + (long)(a.Kernel - 1) * a.Dilation + 1 - input - a.PadBegin);
}
