using System.Globalization;

namespace ModelBuild.Converter.Parity.Reporting;

/// <summary>The short console form: a table of the worst metrics per output, the messages, and the final verdict line.</summary>
public static class ConsoleSummary
{
    /// <summary>
    /// The phase table of <c>check --timings</c>: where the gate's wall-clock time went. "reference:" and
    /// "candidate:" rows are the engines' own time and also fall inside the ISA matrix and localization rows.
    /// </summary>
    public static void WriteTimings(ParityTimings t, TextWriter output)
    {
        output.WriteLine($"{"phase",-28} {"ms",9} {"count",6}");
        foreach (var p in t.Phases)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Phase,-28} {p.Milliseconds,9:F1} {p.Count,6}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"gate total (in process)",-28} {t.TotalMilliseconds,9:F1}"));
    }

    public static void Write(ParityResult r, TextWriter output, TextWriter diagnostics)
    {
        output.WriteLine($"parity: {r.OnnxPath} (ONNX Runtime) vs {r.Candidate} (ModelBuild, ISA {r.PrimaryIsa}); {r.Samples.Count} samples, seed {r.Seed}");
        if (r.LimitsFrom is not null)
        {
            output.WriteLine($"limits ({r.LimitsFrom}): relative error <= {ReportNumbers.G3(r.Thresholds.MaxRelError)}, cosine similarity >= {ReportNumbers.Cosine(r.Thresholds.MinCosine)}");
        }

        var device = r.Emulation is null ? "" : $" {"on device",10} {"device",7}";
        output.WriteLine($"{"output",-24} {"samples",8} {"max|y-r|",10} {"rel-error",10} {"relL2",10} {"cosine",10} {"result",8}{device}");
        foreach (var group in r.Samples.Where(s => s.Judged).SelectMany(s => s.Outputs).GroupBy(o => o.Output))
        {
            var metrics = group.Select(o => o.Metrics).Where(m => m.ShapeMatch).ToList();
            var ok = group.All(o => o.Passed);
            output.WriteLine($"{Trim(group.Key, 24),-24} {group.Count(),8} {F(metrics.Select(m => m.MaxAbsError)),10} {F(metrics.Select(m => m.PeakRelError)),10} {F(metrics.Select(m => m.RelL2)),10} {Cos(metrics.Select(m => m.Cosine)),10} {(ok ? "ok" : "FAIL"),8}{DeviceColumns(r, group.Key)}");
        }

        if (r.Emulation is { } e)
        {
            output.WriteLine($"on device: {e.Description}; limits: relative error <= {e.Thresholds.MaxRelError.ToString("G3", CultureInfo.InvariantCulture)}, cosine similarity >= {ReportNumbers.Cosine(e.Thresholds.MinCosine)} ({(e.Fails ? "fail" : "warn")} when exceeded){(e.Error is null ? "" : "; failed: " + e.Error)}");
            if (e.Localization is { } el)
            {
                output.WriteLine("on-device localization: " + el.Describe());
            }
        }

        var excluded = r.Samples.Count(s => s.IllConditioned);
        if (excluded > 0)
        {
            output.WriteLine($"{excluded} ill-conditioned sample(s) {(r.Strict ? "counted as failures (strict)" : "excluded from the verdict")}");
        }

        if (r.Isas.Count > 0)
        {
            output.WriteLine("ISA: " + string.Join("  ", r.Isas.Select(c => c.Status == "ran"
                ? $"{c.Name}={(c.Passed ? "ok" : "FAIL")}(vs ref {F([c.MaxRelVsReference])}, vs {r.PrimaryIsa} {(c.BitIdenticalToPrimary ? "identical" : F([c.MaxRelVsPrimary]))})"
                : $"{c.Name}=skipped")));
            foreach (var c in r.Isas.Where(c => c.Status != "ran" && c.Note is not null && c.Name == CrossIsa.IsaPlan.Arm64))
            {
                output.WriteLine($"  arm64 skipped: {c.Note}");
            }
        }

        if (r.Localization is { } l)
        {
            output.WriteLine("localization: " + l.Describe());
        }

        var first = true;
        foreach (var m in r.Messages)
        {
            var context = first && m.Severity == "error" ? r.FirstErrorContext() : "";
            first &= m.Severity != "error";
            diagnostics.WriteLine(m + context);
        }

        output.WriteLine(r.VerdictText);
    }

    /// <summary>The "predicted on device" cells of one output row: worst emulated relative error and its verdict.</summary>
    private static string DeviceColumns(ParityResult r, string output)
    {
        if (r.Emulation is not { } e)
        {
            return "";
        }

        var rows = e.Outputs.Where(o => o.Output == output).ToList();
        var verdict = rows.Count == 0 ? "-" : rows.All(o => o.Passed) ? "ok" : e.Fails ? "FAIL" : "WARN";
        return $" {F(rows.Where(o => o.Metrics.ShapeMatch).Select(o => o.Metrics.PeakRelError)),10} {verdict,7}";
    }

    private static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    private static string F(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "-" : list.Max().ToString("G3", CultureInfo.InvariantCulture);
    }

    private static string Cos(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "-" : list.Min().ToString("0.000000", CultureInfo.InvariantCulture);
    }
}
