using ModelBuild.Converter.Onnx;

namespace ModelBuild.Conformance.Tests.Backend;

/// <summary>One folder of the ONNX backend suite: <c>SUITE/test_name/model.onnx</c> plus test_data_set_N folders.</summary>
public sealed record BackendCase(string Suite, string Name, string Directory, string OpType)
{
    /// <summary>"suite/test_name", the key used in reports and the baseline.</summary>
    public string Key => $"{Suite}/{Name}";

    /// <summary>Expanded cases (a function op spelled out as primitive ops) do not count toward the pass rate.</summary>
    public bool IsExpanded => Name.EndsWith("_expanded", StringComparison.Ordinal) || Name.Contains("_expanded_", StringComparison.Ordinal);

    public static readonly string[] Suites = ["node", "pytorch-converted", "pytorch-operator", "simple"];

    /// <summary>Every case folder with a model.onnx, ordered by key (ordinal).</summary>
    public static IReadOnlyList<BackendCase> Discover(string backendRoot)
    {
        var found = new List<(string Suite, string Name, string Dir, string? Op)>();
        foreach (var suite in Suites)
        {
            var suiteDir = Path.Combine(backendRoot, suite);
            if (!System.IO.Directory.Exists(suiteDir))
            {
                continue;
            }

            foreach (var dir in System.IO.Directory.EnumerateDirectories(suiteDir))
            {
                if (File.Exists(Path.Combine(dir, "model.onnx")))
                {
                    found.Add((suite, Path.GetFileName(dir), dir, SingleOpType(Path.Combine(dir, "model.onnx"))));
                }
            }
        }

        // Multi-node cases take the op of their non-expanded twin (test_x_expanded → test_x) when that is one op.
        var byKey = found.Where(f => f.Op is not null).ToDictionary(f => $"{f.Suite}/{f.Name}", f => f.Op!, StringComparer.Ordinal);
        return found
            .Select(f => new BackendCase(f.Suite, f.Name, f.Dir, f.Op ?? TwinOp(f.Suite, f.Name, byKey) ?? "(multi-op model)"))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The op type when the graph has exactly one kind of non-Constant node, else null.</summary>
    private static string? SingleOpType(string modelPath)
    {
        try
        {
            var graph = OnnxModelLoader.Load(modelPath).Graph;
            var ops = graph?.Node.Where(n => n.OpType != "Constant").Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}").Distinct().ToList();
            return ops is { Count: 1 } ? ops[0] : ops is { Count: 0 } && graph!.Node.Count > 0 ? "Constant" : null;
        }
        catch (ModelBuildException)
        {
            return "(unreadable model)";
        }
    }

    private static string? TwinOp(string suite, string name, Dictionary<string, string> byKey)
    {
        var i = name.IndexOf("_expanded", StringComparison.Ordinal);
        return i > 0 && byKey.TryGetValue($"{suite}/{name[..i]}", out var op) ? op : null;
    }
}
