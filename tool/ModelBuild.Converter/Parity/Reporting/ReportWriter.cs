namespace ModelBuild.Converter.Parity.Reporting;

/// <summary>Writes PATH.json and PATH.html for a result (a trailing .json/.html on PATH is dropped).</summary>
public static class ReportWriter
{
    public static (string Json, string Html) Write(string path, ParityResult result)
    {
        var stem = path;
        foreach (var ext in new[] { ".json", ".html" })
        {
            if (stem.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                stem = stem[..^ext.Length];
            }
        }

        var json = stem + ".json";
        var html = stem + ".html";
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(json));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            WriteAtomic(json, JsonReport.Render(result));
            WriteAtomic(html, HtmlReport.Render(result));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.OutputWriteFailed, $"cannot write the parity report '{stem}.json/.html': {e.Message}", e);
        }

        return (json, html);
    }

    private static void WriteAtomic(string path, string text)
    {
        var temp = path + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
