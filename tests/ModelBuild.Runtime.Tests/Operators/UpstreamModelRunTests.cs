using System.Globalization;
using System.Text;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// Runs every <c>../shared/mnn-upstream/CASE/model.mnn</c> (written by upstream MNNConvert) through our runtime on its
/// test_data_set_0 inputs and compares with upstream MNN's own outputs at peak-relative 1e-4. Where upstream itself
/// disagrees with ONNX (MANIFEST error above the 1e-4 tolerance), matching the ONNX reference outputs instead also counts as a pass.
/// Cases using an op this runtime does not implement are listed as unsupported, not failed.
/// </summary>
[TestClass]
public sealed class UpstreamModelRunTests
{
    private const double Tolerance = 1e-4;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void EveryUpstreamModelMatchesItsRecordedOutputs()
    {
        string root = TestPaths.RequireShared("mnn-upstream");
        var manifest = ReadManifest(Path.Combine(root, "MANIFEST.tsv"));
        var rows = new List<(string Case, string Status, string Detail)>();
        foreach (var dir in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (!File.Exists(Path.Combine(dir, "model.mnn")))
            {
                continue;
            }

            rows.Add(RunCase(root, dir, name, manifest.GetValueOrDefault(name)));
        }

        var table = new StringBuilder();
        table.AppendLine($"{"case",-45} {"status",-12} detail");
        foreach (var (c, s, d) in rows)
        {
            table.AppendLine($"{c,-45} {s,-12} {d}");
        }

        int pass = rows.Count(r => r.Status == "pass");
        table.AppendLine($"{pass} pass, {rows.Count(r => r.Status == "unsupported")} unsupported, {rows.Count(r => r.Status == "FAIL")} fail, of {rows.Count}");
        TestContext.WriteLine(table.ToString());
        Console.WriteLine(table.ToString());
        var failed = rows.Where(r => r.Status == "FAIL").ToList();
        Assert.AreEqual(0, failed.Count, "cases failing:\n" + string.Join("\n", failed.Select(f => $"{f.Case}: {f.Detail}")));
        Assert.IsTrue(pass > 0, "no upstream case ran");
    }

    private static (string, string, string) RunCase(string root, string dir, string name, string? upstreamError)
    {
        MnnModel model;
        try
        {
            model = MnnModel.Load(Path.Combine(dir, "model.mnn"));
        }
        catch (ModelBuildException e)
        {
            return (name, "FAIL", "load: " + e.Message);
        }

        var data = Path.Combine(dir, "test_data_set_0");
        var inputs = new Dictionary<string, Tensor>();
        for (int i = 0; i < model.Inputs.Count; i++)
        {
            var t = TensorProtoFile.Read(Path.Combine(data, $"input_{i}.pb"));
            if (model.Inputs[i].ElementType != t.ElementType)
            {
                t = Convert(t, model.Inputs[i].ElementType);
            }

            inputs[model.Inputs[i].Name] = t;
        }

        IReadOnlyDictionary<string, Tensor> results;
        MnnSession session;
        try
        {
            session = new MnnSession(model, new MnnSessionOptions { Threads = 1 });
        }
        catch (ModelBuildException e) when (e.Code == ErrorCodes.UnsupportedMnnOperator)
        {
            return (name, "unsupported", e.Message);
        }

        using (session)
        {
            try
            {
                results = session.Run(inputs);
            }
            catch (ModelBuildException e) when (e.Code == ErrorCodes.UnsupportedMnnOperator)
            {
                return (name, "unsupported", e.Message);
            }
            catch (Exception e)
            {
                return (name, "FAIL", $"run: {e.GetType().Name}: {e.Message}");
            }
        }

        bool upstreamWrong = upstreamError is null || !double.TryParse(upstreamError, NumberStyles.Float, CultureInfo.InvariantCulture, out var ue) || ue > Tolerance;
        var details = new List<string>();
        bool allPass = true;
        for (int k = 0; k < session.OutputNames.Count; k++)
        {
            var got = results[session.OutputNames[k]];
            var expected = TensorProtoFile.Read(Path.Combine(data, $"output_{k}.pb"));
            var (ok, text) = Compare(got, expected);
            if (!ok && upstreamWrong && FindOnnxReference(root, name, k) is { } onnxPath)
            {
                var (ok2, text2) = Compare(got, TensorProtoFile.Read(onnxPath));
                text += $"; vs ONNX reference: {text2}";
                ok = ok2;
            }

            details.Add($"out{k} {text}");
            allPass &= ok;
        }

        return (name, allPass ? "pass" : "FAIL", string.Join("; ", details));
    }

    private static Tensor Convert(Tensor t, TensorElementType type) => type == TensorElementType.Float32
        ? Tensor.FromFloats(t.Ints.ToArray().Select(i => (float)i).ToArray(), [.. t.Shape])
        : Tensor.FromInts(t.Floats.ToArray().Select(f => (int)f).ToArray(), [.. t.Shape]);

    private static string? FindOnnxReference(string root, string name, int k)
    {
        string shared = Path.GetDirectoryName(root)!;
        foreach (var parent in new[] { "onnx-backend/pytorch-converted", "onnx-backend/pytorch-operator", "onnx-backend/node", "onnx-backend/simple", "models" })
        {
            var p = Path.Combine(shared, parent, name, "test_data_set_0", $"output_{k}.pb");
            if (File.Exists(p))
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>Peak-relative error max|y − r| / max|r| (shapes must match; NaN must match NaN).</summary>
    internal static (bool Ok, string Text) Compare(Tensor got, Tensor expected)
    {
        var gs = got.Shape.ToArray();
        var es = expected.Shape.ToArray();
        if (gs.Aggregate(1L, (a, b) => a * b) != es.Aggregate(1L, (a, b) => a * b) || !SameShape(gs, es))
        {
            return (false, $"shape [{string.Join(",", gs)}] vs [{string.Join(",", es)}]");
        }

        double[] g = Values(got), e = Values(expected);
        double peak = 0, maxDiff = 0;
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) || double.IsNaN(g[i]))
            {
                if (double.IsNaN(e[i]) != double.IsNaN(g[i]))
                {
                    return (false, $"NaN mismatch at {i}");
                }

                continue;
            }

            if (double.IsInfinity(e[i]) || double.IsInfinity(g[i]))
            {
                if (e[i] != g[i])
                {
                    return (false, $"infinity mismatch at {i}: {g[i]} vs {e[i]}");
                }

                continue;
            }

            peak = Math.Max(peak, Math.Abs(e[i]));
            maxDiff = Math.Max(maxDiff, Math.Abs(g[i] - e[i]));
        }

        double rel = peak == 0 ? maxDiff : maxDiff / peak;
        return (rel <= Tolerance, rel.ToString("G3", CultureInfo.InvariantCulture));
    }

    // Rank-0 vs [1] and similar unit-axis differences are tolerated; other shape differences are not.
    private static bool SameShape(int[] a, int[] b) =>
        a.Where(d => d != 1).SequenceEqual(b.Where(d => d != 1)) && (a.SequenceEqual(b) || a.Contains(1) || b.Contains(1) || a.Length == 0 || b.Length == 0);

    private static double[] Values(Tensor t) => t.ElementType == TensorElementType.Float32
        ? t.Floats.ToArray().Select(f => (double)f).ToArray()
        : t.Ints.ToArray().Select(i => (double)i).ToArray();

    private static Dictionary<string, string> ReadManifest(string path)
    {
        var map = new Dictionary<string, string>();
        if (!File.Exists(path))
        {
            return map;
        }

        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var parts = line.Split('\t');
            if (parts.Length >= 2)
            {
                map[parts[0]] = parts[1];
            }
        }

        return map;
    }
}
