using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>One spatial axis of a sliding window: kernel, stride, dilation, begin padding and output length.</summary>
internal readonly record struct WindowAxis(int Kernel, int Stride, int Dilation, int PadBegin, int Out);

/// <summary>Output-size and padding rules of MNN's Convolution2DCommon (shared by conv, deconv and Im2Col-like ops).</summary>
internal static class ConvGeometry
{
    /// <summary>(begin, end) padding of the y and x axes from <c>pads</c> ([top, left, bottom, right]) or padY/padX.</summary>
    public static (int Top, int Left, int Bottom, int Right) ExplicitPads(Convolution2DCommonT common)
    {
        var pads = common.Pads;
        if (pads is { Count: >= 4 })
        {
            return (pads[0], pads[1], pads[2], pads[3]);
        }

        if (pads is { Count: 2 })
        {
            return (pads[0], pads[1], pads[0], pads[1]);
        }

        return (common.PadY, common.PadX, common.PadY, common.PadX);
    }

    /// <summary>Convolution output along one axis (MNN ShapeConvolution rules for CAFFE/VALID/SAME).</summary>
    public static WindowAxis Convolution(OpContext ctx, int input, int kernel, int stride, int dilation, PadMode mode, int padBegin, int padEnd)
    {
        if (kernel <= 0 || stride <= 0 || dilation <= 0)
        {
            throw ctx.Error($"invalid window: kernel {kernel}, stride {stride}, dilation {dilation}");
        }

        if (padBegin < 0 || padEnd < 0)
        {
            throw ctx.Error($"negative padding {padBegin}/{padEnd}");
        }

        long dk = (long)(kernel - 1) * dilation + 1;
        long output;
        int begin;
        switch (mode)
        {
            case PadMode.SAME:
                output = (input + (long)stride - 1) / stride;
                long needed = Math.Max(0, (output - 1) * stride + dk - input);
                begin = (int)(needed / 2);
                break;
            case PadMode.VALID:
                output = input >= dk ? (input - dk) / stride + 1 : 0;
                begin = 0;
                break;
            default:
                long padded = (long)input + padBegin + padEnd;
                output = padded >= dk ? (padded - dk) / stride + 1 : 0;
                begin = padBegin;
                break;
        }

        if (output <= 0 || output > int.MaxValue)
        {
            throw ctx.Error($"window (kernel {kernel}, stride {stride}, dilation {dilation}, pads {padBegin}/{padEnd}) does not fit input length {input}");
        }

        return new WindowAxis(kernel, stride, dilation, begin, (int)output);
    }
}
