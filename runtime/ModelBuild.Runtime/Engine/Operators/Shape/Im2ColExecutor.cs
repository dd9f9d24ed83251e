using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>
/// Im2Col (MNNConvert emits it for ONNX Unfold and 3-D convolution rewrites): input [N, C, H, W] becomes
/// [C·kh·kw, N·oh·ow] with row (c·kh + ky)·kw + kx and column (n·oh + oy)·ow + ox holding
/// input[n, c, oy·sh + ky·dh − padTop, ox·sw + kx·dw − padLeft], zero outside the input.
/// </summary>
[MnnOperator(OpType.Im2Col)]
internal sealed class Im2ColExecutor(OpT op) : OperatorExecutor
{
    private readonly Convolution2DCommonT _c = ShapeSupport.RequireParam<Convolution2DT>(op).Common
        ?? throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}' (Im2Col) has no convolution parameters");

    private int _n, _ch, _h, _w, _oh, _ow, _padTop, _padLeft;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        var s = ctx.Inputs[0].ShapeArray;
        if (s.Length != 4 || ctx.Inputs[0].ElementType != TensorElementType.Float32)
        {
            throw ctx.Error($"needs a float 4-D NCHW input, got {ctx.Inputs[0]}");
        }

        int kh = _c.KernelY, kw = _c.KernelX, sh = _c.StrideY, sw = _c.StrideX, dh = _c.DilateY, dw = _c.DilateX;
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0)
        {
            throw ctx.Error("kernel, stride and dilation must be positive");
        }

        (_n, _ch, _h, _w) = (s[0], s[1], s[2], s[3]);
        int ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
        switch (_c.PadMode)
        {
            case PadMode.SAME:
                _oh = (_h + sh - 1) / sh;
                _ow = (_w + sw - 1) / sw;
                _padTop = Math.Max(0, (_oh - 1) * sh + ekh - _h) / 2;
                _padLeft = Math.Max(0, (_ow - 1) * sw + ekw - _w) / 2;
                break;
            case PadMode.VALID:
                _oh = Math.Max(0, (_h - ekh + sh) / sh);
                _ow = Math.Max(0, (_w - ekw + sw) / sw);
                _padTop = _padLeft = 0;
                break;
            default:
                int top, left, bottom, right;
                if (_c.Pads is { Count: >= 4 } p)
                {
                    (top, left, bottom, right) = (p[0], p[1], p[2], p[3]);
                }
                else
                {
                    (top, bottom, left, right) = (_c.PadY, _c.PadY, _c.PadX, _c.PadX);
                }

                int ih = _h + top + bottom, iw = _w + left + right;
                _oh = ih < ekh ? 0 : (ih - ekh) / sh + 1;
                _ow = iw < ekw ? 0 : (iw - ekw) / sw + 1;
                (_padTop, _padLeft) = (top, left);
                break;
        }

        long rows = (long)_ch * kh * kw, cols = (long)_n * _oh * _ow;
        if (rows > int.MaxValue || cols > int.MaxValue)
        {
            throw new ModelBuildException(ErrorCodes.RuntimeInvalidShape, $"op '{ctx.OpName}': im2col output is too large");
        }

        ctx.Outputs[0].Reshape([(int)rows, (int)cols], TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var src = ctx.Inputs[0].Floats;
        var dst = ctx.Outputs[0].Floats;
        int kh = _c.KernelY, kw = _c.KernelX, sh = _c.StrideY, sw = _c.StrideX, dh = _c.DilateY, dw = _c.DilateX;
        int cols = _n * _oh * _ow;
        for (int c = 0; c < _ch; c++)
        {
            for (int ky = 0; ky < kh; ky++)
            {
                for (int kx = 0; kx < kw; kx++)
                {
                    var row = dst.Slice(((c * kh + ky) * kw + kx) * cols, cols);
                    int col = 0;
                    for (int n = 0; n < _n; n++)
                    {
                        int plane = (n * _ch + c) * _h * _w;
                        for (int oy = 0; oy < _oh; oy++)
                        {
                            int y = oy * sh + ky * dh - _padTop;
                            bool rowInside = y >= 0 && y < _h;
                            for (int ox = 0; ox < _ow; ox++, col++)
                            {
                                int x = ox * sw + kx * dw - _padLeft;
                                row[col] = rowInside && x >= 0 && x < _w ? src[plane + y * _w + x] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }
}
