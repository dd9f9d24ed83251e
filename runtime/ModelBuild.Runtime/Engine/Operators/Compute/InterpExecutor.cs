using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Interp (ONNX Resize / Upsample) and Resize on NCHW float32. Output size: input 1 of length rank (int32 sizes
/// or float32 per-axis scales, N and C must stay), input 1 of length 2 ([h, w]), else outputHeight/Width, else
/// heightScale/widthScale × input. Source coordinate = dst·scale + offset with scale/offset from the coordinate
/// transformation mode (ctm; NotSet falls back to alignCorners / halfPixelCenters as upstream does).
/// resizeType 1 nearest (floor), 4 nearest (round half up), 2 bilinear, 3 bicubic (cubicCoeffA; indices clamped).
/// </summary>
[MnnOperator((int)OpType.Interp, (int)OpType.Resize)]
internal sealed class InterpExecutor : OperatorExecutor
{
    private readonly InterpT _p;
    private readonly bool _sizeFromInput;
    // Taps depend only on the shapes and parameters, so they are built in Reshape rather than on every run.
    private (int Index, float Weight)[] _xs = [], _ys = [];
    private int _xTaps, _yTaps;
    private int[] _nearestRows = [], _nearestCols = [];

    public InterpExecutor(OpT op)
    {
        _sizeFromInput = op.InputIndexes is null || op.InputIndexes.Count != 1;
        if (op.Type == OpType.Resize)
        {
            var r = ComputeSupport.Param<ResizeT>(op);
            _p = new InterpT { ResizeType = 2, WidthScale = r.XScale, HeightScale = r.YScale, Ctm = CoordinateTransformationMode.Asymmetric, CubicCoeffA = -0.75f };
        }
        else
        {
            _p = ComputeSupport.Param<InterpT>(op);
        }

        if (_p.ResizeType is not (1 or 2 or 3 or 4))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}': Interp resizeType {_p.ResizeType} is not supported (1 nearest, 2 bilinear, 3 cubic, 4 nearest-round; upstream MNNConvert writes 0 for an Upsample with run-time scales, which upstream MNN cannot run either)");
        }

        if (_p.Ctm == CoordinateTransformationMode.TensorflowCropAndResize)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}': Interp coordinate mode tf_crop_and_resize is not supported");
        }
    }

    public override bool ShapeDependsOnInputValues => _sizeFromInput;

    /// <summary>Only input 1 (sizes or scales) is read for the shape; the taps are planned from it.</summary>
    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = ComputeSupport.RequireRank(ctx, input, 4, "Interp input");
        long outH, outW;
        float? givenY = null, givenX = null;
        if (ctx.Inputs.Length >= 2 && ctx.Inputs[1].Length == 4)
        {
            var size = new long[4];
            var t = ctx.Inputs[1];
            for (int i = 0; i < 4; i++)
            {
                size[i] = t.ElementType == TensorElementType.Int32 ? t.Ints[i] : (long)(t.Floats[i] * (float)s[i]);
            }

            if (size[0] != s[0] || size[1] != s[1])
            {
                throw ctx.Error($"Interp cannot resize the batch or channel axes ({ComputeSupport.ShapeText(s)} → [{string.Join(",", size)}])");
            }

            (outH, outW) = (size[2], size[3]);
            if (t.ElementType == TensorElementType.Float32)
            {
                // As upstream's geometry: given scales map coordinates by 1/scale, not by the size ratio (the two
                // differ when input·scale is fractional; ONNX means the scale).
                (givenY, givenX) = (1f / t.Floats[2], 1f / t.Floats[3]);
            }
        }
        else if (ctx.Inputs.Length >= 2 && ctx.Inputs[1].Length == 2)
        {
            var t = ctx.Inputs[1];
            (outH, outW) = t.ElementType == TensorElementType.Int32 ? (t.Ints[0], t.Ints[1]) : ((long)t.Floats[0], (long)t.Floats[1]);
        }
        else if (_p.OutputHeight > 0 && _p.OutputWidth > 0)
        {
            (outH, outW) = (_p.OutputHeight, _p.OutputWidth);
        }
        else
        {
            outH = (long)(s[2] * _p.HeightScale);
            outW = (long)(s[3] * _p.WidthScale);
        }

        if (outH <= 0 || outW <= 0 || outH * outW * s[0] * s[1] > Array.MaxLength)
        {
            throw ctx.Error($"Interp output size {outH}x{outW} is invalid for input {ComputeSupport.ShapeText(s)}");
        }

        var (scaleY, offsetY) = Mapping(s[2], (int)outH, givenY);
        var (scaleX, offsetX) = Mapping(s[3], (int)outW, givenX);
        int type = _p.ResizeType;
        float a = _p.CubicCoeffA == 0f ? -0.75f : _p.CubicCoeffA;
        _xs = Taps(type, scaleX, offsetX, (int)outW, s[3], a, out _xTaps);
        _ys = Taps(type, scaleY, offsetY, (int)outH, s[2], a, out _yTaps);
        (_nearestRows, _nearestCols) = _xTaps == 1 && _yTaps == 1
            ? (Array.ConvertAll(_ys, t => t.Index), Array.ConvertAll(_xs, t => t.Index))
            : ([], []);
        ctx.Outputs[0].Reshape([s[0], s[1], (int)outH, (int)outW], TensorElementType.Float32);
    }

    /// <summary>
    /// (scale, offset) so that source = dst·scale + offset, per upstream's coordinate modes (_ConverterInterp).
    /// <paramref name="given"/> is 1/scale from a float scales input; it replaces the size ratio everywhere except
    /// in align-corners mode, which is defined by the sizes alone.
    /// </summary>
    private (float Scale, float Offset) Mapping(int input, int output, float? given)
    {
        float ratio = given ?? (float)input / output;
        float alignScale = output == 1 ? 0f : (float)(input - 1) / (output - 1);
        switch (_p.Ctm)
        {
            case CoordinateTransformationMode.AlignCorners:
                return (alignScale, 0f);
            case CoordinateTransformationMode.HalfPixels:
                return (ratio, 0.5f * ratio - 0.5f);
            case CoordinateTransformationMode.PytorchHalfPixels:
                return output > 1 ? (ratio, 0.5f * ratio - 0.5f) : (given ?? 0f, 0f);
            case CoordinateTransformationMode.Asymmetric:
                return (ratio, 0f);
            case CoordinateTransformationMode.TensorflowHalfPixels:
                return (ratio, 0.5f * ratio);
            default:
                if (_p.HalfPixelCenters && _p.ResizeType != 1)
                {
                    return (ratio, 0.5f * ratio - 0.5f);
                }

                return _p.AlignCorners && given is null ? (alignScale, 0f) : (ratio, 0f);
        }
    }

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        var o = ctx.Outputs[0].ShapeArray;
        int ih = s[2], iw = s[3], oh = o[2], ow = o[3], planes = s[0] * s[1];
        float[] src = ctx.Inputs[0].FloatBuffer, dst = ctx.Outputs[0].FloatBuffer;
        var (xs, ys, xTaps, yTaps) = (_xs, _ys, _xTaps, _yTaps);
        if (xTaps == 1 && yTaps == 1)
        {
            // One tap of weight 1: the value is the source element itself.
            NearestResize.Run(ctx.Isa, src.AsSpan(0, planes * ih * iw), planes, ih, iw,
                _nearestRows, _nearestCols, dst.AsSpan(0, planes * oh * ow), ctx.Threads);
            return;
        }

        ExecuteSeparable(ctx, src, dst, ih, iw, oh, ow, planes, xs, ys, xTaps, yTaps);
    }

    /// <summary>Separate from <see cref="Execute"/> so that the nearest path does not allocate this closure on every run.</summary>
    private static void ExecuteSeparable(OpContext ctx, float[] src, float[] dst, int ih, int iw, int oh, int ow, int planes,
        (int Index, float Weight)[] xs, (int Index, float Weight)[] ys, int xTaps, int yTaps)
    {
        int t = KernelParallel.Effective(ctx.Threads, (long)planes * oh * ow * yTaps, 1 << 14);
        KernelParallel.For(planes, t, (p0, p1) =>
        {
            var rows = new double[ih * ow];
            var done = new bool[ih];
            for (int p = p0; p < p1; p++)
            {
                Array.Clear(done);
                Separable(src, p * ih * iw, iw, ih, dst, p * oh * ow, ow, oh, xs, xTaps, ys, yTaps, rows, done);
            }
        });
    }

    /// <summary>
    /// One plane, in double: each needed source row is filtered along x once (row = Σ wx·v in tap order), then every
    /// output is Σ wy·row over the y taps with non-zero weight, rounded to float once.
    /// </summary>
    private static void Separable(float[] src, int ib, int iw, int ih, float[] dst, int ob, int ow, int oh,
        (int Index, float Weight)[] xs, int xTaps, (int Index, float Weight)[] ys, int yTaps, double[] rows, bool[] done)
    {
        for (int y = 0; y < oh; y++)
        {
            for (int ty = 0; ty < yTaps; ty++)
            {
                var (yi, yw) = ys[y * yTaps + ty];
                if (yw == 0f || done[yi])
                {
                    continue;
                }

                done[yi] = true;
                int r = yi * ow, sr = ib + yi * iw;
                for (int x = 0; x < ow; x++)
                {
                    double row = 0;
                    for (int tx = 0; tx < xTaps; tx++)
                    {
                        var (xi, xw) = xs[x * xTaps + tx];
                        row += (double)xw * src[sr + xi];
                    }

                    rows[r + x] = row;
                }
            }
        }

        for (int y = 0; y < oh; y++)
        {
            int d = ob + y * ow;
            for (int x = 0; x < ow; x++)
            {
                double acc = 0;
                for (int ty = 0; ty < yTaps; ty++)
                {
                    var (yi, yw) = ys[y * yTaps + ty];
                    if (yw != 0f)
                    {
                        acc += yw * rows[yi * ow + x];
                    }
                }

                dst[d + x] = (float)acc;
            }
        }
    }

    /// <summary>Per output position, the (clamped source index, weight) taps along one axis.</summary>
    private static (int Index, float Weight)[] Taps(int type, float scale, float offset, int output, int input, float a, out int taps)
    {
        taps = type switch { 2 => 2, 3 => 4, _ => 1 };
        var result = new (int, float)[output * taps];
        for (int d = 0; d < output; d++)
        {
            float src = d * scale + offset;
            switch (type)
            {
                case 1:
                    result[d] = (Math.Clamp((int)MathF.Floor(src), 0, input - 1), 1f);
                    break;
                case 4:
                    result[d] = (Math.Clamp((int)MathF.Floor(src + 0.499f), 0, input - 1), 1f);
                    break;
                case 2:
                {
                    float f = MathF.Floor(src);
                    float t = src - f;
                    int i0 = (int)f;
                    result[d * 2] = (Math.Clamp(i0, 0, input - 1), 1f - t);
                    result[d * 2 + 1] = (Math.Clamp(i0 + 1, 0, input - 1), t);
                    break;
                }

                default:
                {
                    float f = MathF.Floor(src);
                    float t = src - f;
                    int i0 = (int)f;
                    for (int k = 0; k < 4; k++)
                    {
                        result[d * 4 + k] = (Math.Clamp(i0 - 1 + k, 0, input - 1), Cubic(a, Math.Abs(t - (k - 1))));
                    }

                    break;
                }
            }
        }

        return result;
    }

    private static float Cubic(float a, float x) => x <= 1f
        ? ((a + 2f) * x - (a + 3f)) * x * x + 1f
        : x < 2f ? ((a * x - 5f * a) * x + 8f * a) * x - 4f * a : 0f;
}
