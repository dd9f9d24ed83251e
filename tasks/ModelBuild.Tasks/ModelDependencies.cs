namespace ModelBuild.Tasks;

/// <summary>
/// The files a model's conversion and parity check read, and the timestamp rule that decides whether they must run.
/// Shared by the resolve task (which hands them to the targets' Inputs) and the process tasks (which skip, per item,
/// models whose outputs are already newer than every input).
/// </summary>
internal static class ModelDependencies
{
    /// <summary>Items of a metadata list: split on ';', trimmed, empty entries dropped.</summary>
    public static List<string> SplitList(string? value) =>
        (value ?? "").Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

    /// <summary>
    /// External data of an ONNX model: files beside it named after it (<c>m.onnx.data</c>, <c>m.onnx_data</c>,
    /// <c>m.data</c>, <c>m.weights.bin</c>, ...) plus the item's ExternalData list.
    /// </summary>
    public static List<string> ExternalData(string onnxPath, string? explicitList, string baseDirectory)
    {
        var files = new List<string>();
        var dir = Path.GetDirectoryName(onnxPath);
        var stem = Path.GetFileNameWithoutExtension(onnxPath);
        if (!string.IsNullOrEmpty(dir) && Directory.Exists(dir))
        {
            foreach (var f in Directory.EnumerateFiles(dir!, stem + ".*"))
            {
                var ext = Path.GetExtension(f);
                if (!ext.Equals(".onnx", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".mnn", StringComparison.OrdinalIgnoreCase))
                {
                    files.Add(Path.GetFullPath(f));
                }
            }
        }

        files.AddRange(SplitList(explicitList).Select(p => Path.GetFullPath(Path.Combine(baseDirectory, p))));
        files.Sort(StringComparer.Ordinal);
        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every file under the ParityInputs entries (folders recursively; files themselves; missing ones skipped: the converter reports them).</summary>
    public static List<string> SampleFiles(IEnumerable<string> parityInputs)
    {
        var files = new List<string>();
        foreach (var p in parityInputs)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Select(Path.GetFullPath));
            }
            else if (File.Exists(p))
            {
                files.Add(Path.GetFullPath(p));
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>True when every output exists and none is older than the newest input (missing inputs count as changed).</summary>
    public static bool IsUpToDate(IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var oldestOutput = DateTime.MaxValue;
        foreach (var o in outputs)
        {
            if (!File.Exists(o))
            {
                return false;
            }

            var t = File.GetLastWriteTimeUtc(o);
            oldestOutput = t < oldestOutput ? t : oldestOutput;
        }

        foreach (var i in inputs)
        {
            if (!File.Exists(i) || File.GetLastWriteTimeUtc(i) > oldestOutput)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Identifies the converter build: a new package version or a rebuilt converter re-runs every model.</summary>
    public static string ConverterIdentity(string converterPath)
    {
        var info = new FileInfo(converterPath);
        return info.Exists ? $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : info.FullName;
    }
}
