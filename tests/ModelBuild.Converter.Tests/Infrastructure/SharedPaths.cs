namespace ModelBuild.Converter.Tests.Infrastructure;

/// <summary>Locates ../shared (sibling of the repo root) from the test's working folder.</summary>
public static class SharedPaths
{
    public static string? Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("MODELBUILD_SHARED");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
            {
                return env;
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "onnx-backend")) || Directory.Exists(Path.Combine(candidate, "models")))
                {
                    return candidate;
                }
            }

            return Directory.Exists("/work/shared") ? "/work/shared" : null;
        }
    }

    /// <summary>The sub-folder, or Assert.Inconclusive when ../shared is absent.</summary>
    public static string Require(string sub)
    {
        var root = Root;
        var path = root is null ? null : Path.Combine(root, sub);
        if (path is null || !Directory.Exists(path))
        {
            Assert.Inconclusive($"../shared/{sub} is not present; skipping this test");
        }

        return path!;
    }
}

/// <summary>A throw-away folder deleted at dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mbtest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
