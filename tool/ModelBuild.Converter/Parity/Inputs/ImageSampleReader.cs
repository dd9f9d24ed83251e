using ModelBuild.Converter.Graph;
using StbImageSharp;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>Decodes PNG/JPEG (StbImageSharp) and applies <see cref="ImagePreprocessing"/> for one image input.</summary>
public static class ImageSampleReader
{
    public static bool IsImage(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp";

    public static TensorData Read(string path, InputSignature input, ImagePreprocessing pre)
    {
        var shape = input.Shape;
        if (shape.Length != 4)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType,
                $"image '{path}' cannot feed input '{input.Name}' of shape [{string.Join(",", shape)}]: an image input must have rank 4 (NCHW or, with NHWC layout, NHWC)");
        }

        long n = shape[0], c = pre.Nhwc ? shape[3] : shape[1], h = pre.Nhwc ? shape[1] : shape[2], w = pre.Nhwc ? shape[2] : shape[3];
        if (c is not 1 and not 3 || h <= 0 || w <= 0 || h * w > 1L << 28)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType,
                $"image '{path}' cannot feed input '{input.Name}' of shape [{string.Join(",", shape)}]: expected 1 or 3 channels ({(pre.Nhwc ? "NHWC" : "NCHW")})");
        }

        if (!Conversion.TensorBridge.IsFloatType(input.Type))
        {
            throw new ModelBuildException(ErrorCodes.TensorFileUnsupportedType, $"image '{path}' cannot feed input '{input.Name}' of type {input.Type}: image inputs must be float");
        }

        var image = Decode(path);
        var rgb = Resize(image.Data, image.Width, image.Height, (int)w, (int)h);
        var data = new float[n * c * h * w];
        for (long b = 0; b < n; b++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var px = (y * (int)w + x) * 3;
                    for (var ch = 0; ch < c; ch++)
                    {
                        double v = c == 1
                            ? 0.299 * rgb[px] + 0.587 * rgb[px + 1] + 0.114 * rgb[px + 2]
                            : rgb[px + (pre.Bgr ? 2 - ch : ch)];
                        v = (v * pre.Scale - pre.Mean[ch]) / pre.Std[ch];
                        var at = pre.Nhwc ? ((b * h + y) * w + x) * c + ch : ((b * c + ch) * h + y) * w + x;
                        data[at] = (float)v;
                    }
                }
            }
        }

        return new TensorData(input.Type, shape, data);
    }

    private static ImageResult Decode(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"image '{path}' does not exist");
        }

        UserFiles.RequireRegularFile(path, ErrorCodes.TensorFileNotFound, "image");

        try
        {
            using var stream = File.OpenRead(path);
            return ImageResult.FromStream(stream, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileNotFound, $"image '{path}' cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NotSupportedException or OverflowException)
        {
            throw new ModelBuildException(ErrorCodes.TensorFileMalformed, $"image '{path}' cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>Bilinear resize of interleaved RGB bytes with half-pixel centers (edge-clamped).</summary>
    internal static float[] Resize(byte[] src, int sw, int sh, int dw, int dh)
    {
        var dst = new float[dw * dh * 3];
        var sx = (double)sw / dw;
        var sy = (double)sh / dh;
        for (var y = 0; y < dh; y++)
        {
            var fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, sh - 1);
            var y0 = (int)fy;
            var y1 = Math.Min(y0 + 1, sh - 1);
            var ty = fy - y0;
            for (var x = 0; x < dw; x++)
            {
                var fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, sw - 1);
                var x0 = (int)fx;
                var x1 = Math.Min(x0 + 1, sw - 1);
                var tx = fx - x0;
                for (var ch = 0; ch < 3; ch++)
                {
                    double p00 = src[(y0 * sw + x0) * 3 + ch], p01 = src[(y0 * sw + x1) * 3 + ch];
                    double p10 = src[(y1 * sw + x0) * 3 + ch], p11 = src[(y1 * sw + x1) * 3 + ch];
                    var top = p00 + (p01 - p00) * tx;
                    var bottom = p10 + (p11 - p10) * tx;
                    dst[(y * dw + x) * 3 + ch] = (float)(top + (bottom - top) * ty);
                }
            }
        }

        return dst;
    }
}
