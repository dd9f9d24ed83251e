using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>One output as ModuleBasic dumped it: its dims (null when it printed none) and its values.</summary>
public sealed record DumpedOutput(string Name, int[]? Shape, double[] Values);

/// <summary>What one ModuleBasic run gave: the dumped outputs, or why it failed (null when it ran through).</summary>
public sealed record ModuleBasicRun(string? Failure, IReadOnlyList<DumpedOutput> Outputs);

/// <summary>
/// Runs <c>ModuleBasic.out MODEL DIR</c> with DIR as working directory and reads back what it wrote. ModuleBasic
/// exits 0 even when it fails, so failure is read from its log ("can't load module", "Error in forward") and from
/// missing dumps. It dumps output i to <c>output/0_i.txt</c> (cast to float, printed with 6 significant digits) and,
/// for each output with an expected NAME.txt, prints "before compare NAME: (d0, d1, )" with the computed dims.
/// </summary>
public static partial class ModuleBasicProcess
{
    private const int MemoryLimitKiB = 4 << 20;

    public static ModuleBasicRun Run(string moduleBasic, string model, string dir, IReadOnlyList<string> outputNames, TimeSpan timeout)
    {
        // Under a 4 GiB address-space limit: a file upstream misreads (e.g. a float OneHot depth read as int bits)
        // can make it allocate without bound, and the machine is shared.
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"ulimit -v {MemoryLimitKiB} && exec \"$0\" \"$@\"", moduleBasic, model, dir]) { WorkingDirectory = dir };
        var (exitCode, log) = BoundedProcess.Run(start, timeout);
        if (exitCode is null)
        {
            return new ModuleBasicRun($"no result within {timeout.TotalSeconds:0} s", []);
        }

        if (exitCode != 0)
        {
            var reason = FailureLine(log);
            return new ModuleBasicRun($"exited with code {exitCode}" + (reason is null ? "" : $" ({reason})"), []);
        }

        if (FailureLine(log) is { } failure)
        {
            return new ModuleBasicRun(Complaint(log, failure) is { } why ? $"{failure} after \"{why}\"" : failure, []);
        }

        var shapes = Shapes(log);
        var outputs = new List<DumpedOutput>();
        for (var i = 0; i < outputNames.Count; i++)
        {
            var file = Path.Combine(dir, "output", $"0_{i}.txt");
            if (!File.Exists(file))
            {
                return new ModuleBasicRun($"wrote no output {i} ('{outputNames[i]}')", []);
            }

            outputs.Add(new DumpedOutput(outputNames[i], shapes.GetValueOrDefault(outputNames[i]), ParseValues(File.ReadAllText(file))));
        }

        return new ModuleBasicRun(null, outputs);
    }

    [GeneratedRegex(@"^before compare (.*): \(((?:-?\d+, )*)\)\s*$", RegexOptions.Multiline)]
    private static partial Regex ShapePattern();

    /// <summary>Output name → dims from the "before compare" lines (printed for every non-empty output).</summary>
    public static Dictionary<string, int[]> Shapes(string log)
    {
        var result = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (Match m in ShapePattern().Matches(log))
        {
            result[m.Groups[1].Value] = m.Groups[2].Value
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => int.Parse(d, CultureInfo.InvariantCulture))
                .ToArray();
        }

        return result;
    }

    /// <summary>The first line saying upstream could not load or run the model, or null.</summary>
    public static string? FailureLine(string log) =>
        log.Split('\n').Select(l => l.Trim()).FirstOrDefault(l =>
            l.Contains("can't load module", StringComparison.Ordinal)
            || l.Contains("Error in forward", StringComparison.Ordinal)
            || l.Contains("TESTERROR Can't open", StringComparison.Ordinal)
            || l.Contains("Invalid json", StringComparison.Ordinal));

    /// <summary>
    /// The first line before <paramref name="failure"/> where MNN said what it could not do, or null. The CPU
    /// feature banner and the missing-cache notice (no cache file is passed) appear in every log and are skipped.
    /// </summary>
    public static string? Complaint(string log, string failure) =>
        log.Split('\n').Select(l => l.Trim()).TakeWhile(l => l != failure)
            .Where(l => !l.StartsWith("The device supports", StringComparison.Ordinal) && !l.Contains(".tempcache", StringComparison.Ordinal) && !l.StartsWith("Load Cache file", StringComparison.Ordinal))
            .FirstOrDefault(l => l.Contains("rror", StringComparison.Ordinal) || l.Contains("support", StringComparison.Ordinal) || l.Contains("Can't", StringComparison.Ordinal));

    /// <summary>Numbers as C++ iostreams print them, one per line (nan, -nan, inf, -inf included).</summary>
    public static double[] ParseValues(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseValue).ToArray();

    private static double ParseValue(string s) => s switch
    {
        "nan" or "-nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
