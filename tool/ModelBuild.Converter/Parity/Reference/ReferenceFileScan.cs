namespace ModelBuild.Converter.Parity.Reference;

/// <summary>
/// A byte-level look at an ONNX file, before it is parsed, deciding whether ONNX Runtime may start loading it
/// straight away. Conservative: the strings it looks for are part of every normalization op type and of every
/// external-data entry, so their absence proves the model has neither (the gate then needs no intermediate
/// outputs, and ORT opens no file our own checks have not vetted); their presence anywhere (a name, a doc string)
/// only means the gate waits for the parse, as it otherwise would.
/// </summary>
public static class ReferenceFileScan
{
    private static readonly byte[][] Markers = ["Normalization"u8.ToArray(), "location"u8.ToArray()];

    public static bool CanStartEarly(string onnxPath)
    {
        if (!UserFiles.IsRegularFile(onnxPath))
        {
            return false; // never open a FIFO or device: the parse reports it
        }

        try
        {
            using var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            var buffer = new byte[1 << 20];
            var carry = Markers.Max(m => m.Length) - 1;
            var kept = 0;
            int read;
            while ((read = stream.Read(buffer, kept, buffer.Length - kept)) > 0)
            {
                var window = buffer.AsSpan(0, kept + read);
                foreach (var marker in Markers)
                {
                    if (window.IndexOf(marker) >= 0)
                    {
                        return false;
                    }
                }

                // keep the tail so a marker split across two reads is still seen
                kept = Math.Min(carry, window.Length);
                window[^kept..].CopyTo(buffer);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the parse reports it properly
        }
    }
}
