namespace ModelBuild.ModelBench;

/// <summary>
/// Finds the models to benchmark: the shared zoo in ../shared/models (sibling of the repo root) when present,
/// otherwise the repository sample samples/models/mosaic-mini.onnx.
/// </summary>
internal static class ModelCatalog
{
    public static readonly string[] SharedModels =
        ["resnet18", "mobilenet_v2", "squeezenet1_1", "style_mosaic_op11", "tiny_transformer_op17"];

    /// <summary>(name, onnx path, test data folder) for each model; <paramref name="only"/> filters by name.</summary>
    public static List<(string Name, string Onnx, string Data)> Find(string repoRoot, IReadOnlyCollection<string>? only)
    {
        var found = new List<(string, string, string)>();
        var shared = Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "models"));
        if (Directory.Exists(shared))
        {
            foreach (var name in SharedModels)
            {
                var dir = Path.Combine(shared, name);
                var onnx = Path.Combine(dir, "model.onnx");
                if (File.Exists(onnx))
                {
                    found.Add((name, onnx, Path.Combine(dir, "test_data_set_0")));
                }
            }
        }

        if (found.Count == 0)
        {
            var sample = Path.Combine(repoRoot, "samples", "models", "mosaic-mini.onnx");
            if (File.Exists(sample))
            {
                found.Add(("mosaic-mini", sample, Path.Combine(repoRoot, "samples", "models", "mosaic-mini", "test_data_set_0")));
            }
        }

        return only is { Count: > 0 } ? found.Where(m => only.Contains(m.Item1)).ToList() : found;
    }

    /// <summary>The repository root: the nearest ancestor of the working directory (or the app) holding ModelBuild.sln.</summary>
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository root (ModelBuild.sln) above the working directory; run from inside the repo or pass --repo");
    }
}
