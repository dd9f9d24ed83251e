using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ModelBuild.Runtime.Format;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Format;

/// <summary>
/// Reads every <c>../shared/mnn-upstream/*/model.mnn</c> (written by upstream MNNConvert) and checks the result
/// against upstream's own JSON dump next to it, field by field, which validates our schema's wire layout.
/// </summary>
[TestClass]
public sealed class MnnUpstreamFilesTests
{
    private static IEnumerable<string> UpstreamCases()
    {
        string dir = TestPaths.RequireShared("mnn-upstream");
        var cases = Directory.GetDirectories(dir)
            .Where(d => File.Exists(Path.Combine(d, "model.mnn")))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToList();
        if (cases.Count == 0)
            Assert.Inconclusive($"../shared not present: no */model.mnn under {dir}");
        return cases;
    }

    [TestMethod]
    public void UpstreamFiles_ReadAndMatchUpstreamJsonDump()
    {
        var failures = new List<string>();
        int checkedCases = 0;
        foreach (string caseDir in UpstreamCases())
        {
            string name = Path.GetFileName(caseDir);
            NetT net = MnnModelReader.ReadFile(Path.Combine(caseDir, "model.mnn"));
            string jsonPath = Path.Combine(caseDir, "model.json");
            if (!File.Exists(jsonPath))
                continue;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
            var root = doc.RootElement;

            var ops = root.GetProperty("oplists");
            if (ops.GetArrayLength() != net.Oplists.Count)
            {
                failures.Add($"{name}: {net.Oplists.Count} ops, json has {ops.GetArrayLength()}");
                continue;
            }
            int k = 0;
            foreach (var op in ops.EnumerateArray())
            {
                string jsonType = op.GetProperty("type").GetString()!;
                if (net.Oplists[k].Type.ToString() != jsonType)
                    failures.Add($"{name}: op {k} is {net.Oplists[k].Type}, json says {jsonType}");
                k++;
            }

            var diffs = new List<string>();
            CompareJson(root, net, "Net", diffs);
            failures.AddRange(diffs.Take(10).Select(d => $"{name}: {d}"));
            checkedCases++;
        }
        Assert.IsTrue(checkedCases > 0, "no upstream case with model.json was checked");
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures.Take(50)));
    }

    [TestMethod]
    public void UpstreamFiles_RoundTripThroughWriter()
    {
        var failures = new List<string>();
        foreach (string caseDir in UpstreamCases())
        {
            string name = Path.GetFileName(caseDir);
            NetT original = MnnModelReader.ReadFile(Path.Combine(caseDir, "model.mnn"));
            byte[] bytes = MnnModelWriter.Serialize(original);
            NetT again = MnnModelReader.Read(bytes, name + " (re-serialized)");

            if (again.Oplists.Count != original.Oplists.Count)
            {
                failures.Add($"{name}: {again.Oplists.Count} ops after round trip, {original.Oplists.Count} before");
                continue;
            }
            for (int i = 0; i < original.Oplists.Count; i++)
            {
                OpT a = original.Oplists[i], b = again.Oplists[i];
                if (a.Type != b.Type || a.Name != b.Name || a.Main.Type != b.Main.Type
                    || !a.InputIndexes.SequenceEqual(b.InputIndexes) || !a.OutputIndexes.SequenceEqual(b.OutputIndexes)
                    || a.DefaultDimentionFormat != b.DefaultDimentionFormat)
                    failures.Add($"{name}: op {i} ({a.Name}, {a.Type}) differs after round trip");
            }
            if (!original.TensorName.SequenceEqual(again.TensorName) || !original.OutputName.SequenceEqual(again.OutputName))
                failures.Add($"{name}: tensor or output names differ after round trip");
            // Serializing the re-read net gives the same bytes again (stable, deterministic writer).
            CollectionAssert.AreEqual(bytes, MnnModelWriter.Serialize(again), $"{name}: second serialization differs");
        }
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures.Take(50)));
    }

    // --- generic comparison of upstream's JSON dump against the object API ---

    private static void CompareJson(JsonElement json, object? value, string path, List<string> diffs)
    {
        if (diffs.Count > 20)
            return;
        switch (json.ValueKind)
        {
            case JsonValueKind.Object when json.TryGetProperty("_count", out var count):
            {
                if (value is not IList list)
                {
                    diffs.Add($"{path}: expected a list, got {Describe(value)}");
                    return;
                }
                if (list.Count != count.GetInt32())
                    diffs.Add($"{path}: {list.Count} elements, json says {count.GetInt32()}");
                int i = 0;
                foreach (var element in json.GetProperty("_first").EnumerateArray())
                {
                    if (i < list.Count)
                        CompareJson(element, list[i], $"{path}[{i}]", diffs);
                    i++;
                }
                return;
            }
            case JsonValueKind.Object:
            {
                if (value is null)
                {
                    diffs.Add($"{path}: missing (json has an object)");
                    return;
                }
                foreach (var prop in json.EnumerateObject())
                {
                    string childPath = $"{path}.{prop.Name}";
                    if (prop.Name.EndsWith("_type", StringComparison.Ordinal)
                        && GetProperty(value, prop.Name[..^5]) is { } unionProp
                        && unionProp.GetValue(value) is OpParameterUnion union)
                    {
                        if (union.Type.ToString() != prop.Value.GetString())
                            diffs.Add($"{childPath}: {union.Type}, json says {prop.Value.GetString()}");
                        continue;
                    }
                    var p = GetProperty(value, prop.Name);
                    if (p is null)
                    {
                        diffs.Add($"{childPath}: no such field in {value.GetType().Name}");
                        continue;
                    }
                    object? child = p.GetValue(value);
                    if (child is OpParameterUnion u)
                        child = u.Value;
                    CompareJson(prop.Value, child, childPath, diffs);
                }
                return;
            }
            case JsonValueKind.Array:
            {
                if (value is not IList list)
                {
                    diffs.Add($"{path}: expected a list, got {Describe(value)}");
                    return;
                }
                if (list.Count != json.GetArrayLength())
                {
                    diffs.Add($"{path}: {list.Count} elements, json says {json.GetArrayLength()}");
                    return;
                }
                int i = 0;
                foreach (var element in json.EnumerateArray())
                {
                    CompareJson(element, list[i], $"{path}[{i}]", diffs);
                    i++;
                }
                return;
            }
            case JsonValueKind.String:
            {
                string expected = json.GetString()!;
                string? got = value switch
                {
                    null => null,
                    string s => s,
                    Enum e => e.ToString(),
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                };
                if (got != expected)
                    diffs.Add($"{path}: '{got}', json says '{expected}'");
                return;
            }
            case JsonValueKind.True or JsonValueKind.False:
                if (value is not bool b || b != json.GetBoolean())
                    diffs.Add($"{path}: {Describe(value)}, json says {json.GetBoolean()}");
                return;
            case JsonValueKind.Number:
            {
                if (value is null || value is string || value is bool)
                {
                    diffs.Add($"{path}: {Describe(value)}, json says {json.GetRawText()}");
                    return;
                }
                double expected = json.GetDouble();
                double got = value is Enum en ? Convert.ToInt64(en, CultureInfo.InvariantCulture) : Convert.ToDouble(value, CultureInfo.InvariantCulture);
                bool ok = value is float or double
                    ? (double.IsNaN(got) && double.IsNaN(expected)) || Math.Abs(got - expected) <= 2e-6 + 1e-5 * Math.Abs(expected)
                    : got == expected;
                if (!ok)
                    diffs.Add($"{path}: {got.ToString(CultureInfo.InvariantCulture)}, json says {json.GetRawText()}");
                return;
            }
            case JsonValueKind.Null:
                return;
        }
    }

    private static PropertyInfo? GetProperty(object owner, string jsonName)
    {
        string pascal = string.Concat(jsonName.Split('_').Where(s => s.Length > 0).Select(s => char.ToUpperInvariant(s[0]) + s[1..]));
        // flatc appends '_' to a field named like its table (Axis.axis -> AxisT.Axis_).
        return owner.GetType().GetProperty(pascal, BindingFlags.Public | BindingFlags.Instance)
            ?? owner.GetType().GetProperty(pascal + "_", BindingFlags.Public | BindingFlags.Instance);
    }

    private static string Describe(object? value) => value is null ? "null" : $"{value} ({value.GetType().Name})";
}
