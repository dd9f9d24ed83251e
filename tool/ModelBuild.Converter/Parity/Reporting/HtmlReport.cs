using System.Globalization;
using System.Net;
using System.Text;
using ModelBuild.Converter.Parity.Metrics;

namespace ModelBuild.Converter.Parity.Reporting;

/// <summary>A self-contained HTML page (inline CSS and SVG, no scripts or external resources).</summary>
public static class HtmlReport
{
    public static string Render(ParityResult r)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parity report: ").Append(E(Path.GetFileName(r.OnnxPath))).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
            .Append("th{background:#f3f3f3}td.l,th.l{text-align:left}.pass{color:#17702a;font-weight:600}.fail{color:#b00020;font-weight:600}.warn{color:#9a6700;font-weight:600}")
            .Append("code{background:#f5f5f5;padding:1px 4px}h2{margin-top:1.6em;border-bottom:1px solid #ddd}</style></head><body>");
        var cls = r.Verdict == ParityVerdict.Failed ? "fail" : r.Verdict == ParityVerdict.PassedWithWarnings ? "warn" : "pass";
        h.Append("<h1>Parity: <span class=\"").Append(cls).Append("\">").Append(E(r.VerdictText)).Append("</span></h1>");
        h.Append("<p>Reference <code>").Append(E(r.OnnxPath)).Append("</code> in ONNX Runtime; candidate <code>").Append(E(r.Candidate)).Append("</code> in ModelBuild at ISA ").Append(E(r.PrimaryIsa)).Append(".</p>");
        h.Append("<p>Command: <code>").Append(E(r.CommandLine ?? "(library call)")).Append("</code><br>Seed: ").Append(r.Seed).Append(r.Strict ? " · strict" : "")
            .Append(" · limits: relative error ≤ ").Append(Limit(r.Thresholds.MaxRelError)).Append(", cosine similarity ≥ ").Append(Limit(r.Thresholds.MinCosine));
        if (r.Thresholds.ElementwiseDecides)
        {
            h.Append(", |y−r| ≤ ").Append(Limit(r.Thresholds.EffectiveAtol)).Append(" + ").Append(Limit(r.Thresholds.EffectiveRtol)).Append("·|r|");
        }

        h.Append("</p>");
        if (r.AddedRepresentativeSamples)
        {
            h.Append("<p class=\"warn\">Every given sample was ill-conditioned; generated representative samples were judged instead.</p>");
        }

        Messages(h, r);
        Samples(h, r);
        Histograms(h, r);
        Localization(h, r);
        EmulationReport.Html(h, r);
        Isas(h, r);
        Timings(h, r.Timings);
        h.Append("</body></html>");
        return h.ToString();
    }

    private static void Messages(StringBuilder h, ParityResult r)
    {
        if (r.Messages.Count == 0)
        {
            return;
        }

        h.Append("<h2>Errors and warnings</h2><ul>");
        foreach (var m in r.Messages)
        {
            h.Append("<li class=\"").Append(m.Severity == "error" ? "fail" : "warn").Append("\">").Append(E(m.ToString())).Append("</li>");
        }

        h.Append("</ul>");
        var degenerate = r.Samples.Where(s => s.IllConditioned).ToList();
        if (degenerate.Count == 0)
        {
            return;
        }

        h.Append("<h2>Ill-conditioned samples</h2><table><tr><th class=l>sample</th><th class=l>node</th><th class=l>op</th><th>epsilon</th><th>min variance</th><th>groups</th><th class=l>channels</th></tr>");
        foreach (var s in degenerate)
        {
            foreach (var d in s.Degenerate)
            {
                h.Append("<tr><td class=l>").Append(E(s.Id)).Append("</td><td class=l>").Append(E(d.NodeName)).Append("</td><td class=l>").Append(E(d.OpType))
                    .Append("</td><td>").Append(F(d.Epsilon)).Append("</td><td>").Append(F(d.MinVariance)).Append("</td><td>").Append(d.DegenerateGroups).Append('/').Append(d.TotalGroups)
                    .Append("</td><td class=l>").Append(E(string.Join(",", d.Channels.Take(32)))).Append(d.Channels.Count > 32 ? ",…" : "").Append("</td></tr>");
            }
        }

        h.Append("</table>");
    }

    private static void Samples(StringBuilder h, ParityResult r)
    {
        h.Append("<h2>Outputs per sample</h2><table><tr><th class=l>sample</th><th class=l>origin</th><th class=l>status</th><th class=l>output</th><th>max |y−r|</th><th>rel. error</th><th>rel L2</th><th>cosine</th><th>elementwise violations<br>(|y−r| &gt; ").Append(Limit(r.Thresholds.EffectiveAtol)).Append(" + ").Append(Limit(r.Thresholds.EffectiveRtol)).Append("·|r|)</th><th class=l>worst elements (index: ref → got)</th></tr>");
        foreach (var s in r.Samples)
        {
            var status = s.IllConditioned ? (r.Strict ? "ill-conditioned (strict: fails)" : "ill-conditioned (excluded)") : s.Judged ? "judged" : "not judged";
            if (s.CandidateError is not null)
            {
                h.Append("<tr><td class=l>").Append(E(s.Id)).Append("</td><td class=l>").Append(E(s.Origin)).Append("</td><td class=l>").Append(E(status))
                    .Append("</td><td class=\"l fail\" colspan=7>").Append(E(s.CandidateError)).Append("</td></tr>");
                continue;
            }

            foreach (var o in s.Outputs)
            {
                var m = o.Metrics;
                h.Append("<tr><td class=l>").Append(E(s.Id)).Append("</td><td class=l>").Append(E(s.Origin)).Append("</td><td class=l>").Append(E(status))
                    .Append("</td><td class=\"l ").Append(o.Passed ? "pass" : s.Judged || r.Strict ? "fail" : "warn").Append("\">").Append(E(o.Output)).Append("</td>");
                if (!m.ShapeMatch)
                {
                    h.Append("<td class=l colspan=6>").Append(E(m.Mismatch ?? "mismatch")).Append("</td></tr>");
                    continue;
                }

                h.Append("<td>").Append(F(m.MaxAbsError)).Append("</td><td>").Append(F(m.PeakRelError)).Append("</td><td>").Append(F(m.RelL2)).Append("</td><td>")
                    .Append(m.Cosine.ToString("0.0000000", CultureInfo.InvariantCulture)).Append("</td><td>").Append(m.ElementwiseViolations)
                    .Append(" (").Append((m.ElementwiseViolationFraction * 100).ToString("0.###", CultureInfo.InvariantCulture)).Append("%)</td><td class=l>")
                    .Append(E(string.Join("; ", m.Worst.Select(w => $"[{string.Join(",", w.Position)}]: {F(w.Reference)} → {F(w.Candidate)}")))).Append("</td></tr>");
            }
        }

        h.Append("</table>");
    }

    /// <summary>One SVG bar chart per output: |y−r| per decade, summed over judged samples (log-scaled bar heights).</summary>
    private static void Histograms(StringBuilder h, ParityResult r)
    {
        var outputs = r.Samples.SelectMany(s => s.Outputs).Select(o => o.Output).Distinct().ToList();
        if (outputs.Count == 0)
        {
            return;
        }

        h.Append("<h2>Distribution of |y−r|</h2>");
        foreach (var output in outputs)
        {
            var counts = new long[TensorMetrics.HistogramLabels.Length];
            foreach (var o in r.Samples.Where(s => s.Judged).SelectMany(s => s.Outputs).Where(o => o.Output == output && o.Metrics.ShapeMatch))
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] += o.Metrics.Histogram[i];
                }
            }

            var max = Math.Max(1, counts.Max());
            const int barW = 46, chartH = 140, top = 20;
            var width = counts.Length * barW + 20;
            h.Append("<h3>").Append(E(output)).Append("</h3><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width).Append("\" height=\"").Append(chartH + top + 40)
                .Append("\" role=\"img\" aria-label=\"histogram of absolute errors\">");
            for (var i = 0; i < counts.Length; i++)
            {
                var frac = counts[i] == 0 ? 0 : Math.Log10(counts[i] + 1) / Math.Log10(max + 1);
                var bh = (int)Math.Round(frac * chartH);
                var x = 10 + i * barW;
                var color = i >= 9 ? "#c0392b" : i >= 7 ? "#e0a030" : "#3a7bd5";
                h.Append("<rect x=\"").Append(x + 4).Append("\" y=\"").Append(top + chartH - bh).Append("\" width=\"").Append(barW - 8).Append("\" height=\"").Append(bh)
                    .Append("\" fill=\"").Append(color).Append("\"><title>").Append(E(TensorMetrics.HistogramLabels[i])).Append(": ").Append(counts[i]).Append("</title></rect>");
                h.Append("<text x=\"").Append(x + barW / 2).Append("\" y=\"").Append(top + chartH - bh - 4).Append("\" font-size=\"10\" text-anchor=\"middle\">").Append(counts[i]).Append("</text>");
                h.Append("<text x=\"").Append(x + barW / 2).Append("\" y=\"").Append(top + chartH + 16).Append("\" font-size=\"11\" text-anchor=\"middle\">").Append(E(TensorMetrics.HistogramLabels[i])).Append("</text>");
            }

            h.Append("<text x=\"10\" y=\"").Append(top + chartH + 34).Append("\" font-size=\"11\">|y−r| per decade (bucket label = lower bound), judged samples; bar height log-scaled</text></svg>");
        }
    }

    private static void Localization(StringBuilder h, ParityResult r)
    {
        if (r.Localization is not { } l)
        {
            return;
        }

        h.Append("<h2>Localization</h2>");
        if (!l.Found)
        {
            h.Append("<p>").Append(E(l.Describe())).Append("</p>");
            return;
        }

        h.Append("<p>Output <code>").Append(E(l.Output)).Append("</code> on sample <code>").Append(E(l.SampleId)).Append("</code> first diverges at <b>").Append(E(l.OpType))
            .Append("</b> node <code>").Append(E(l.NodeName)).Append("</code> (value <code>").Append(E(l.Value)).Append("</code>): ").Append(E(l.Failure)).Append(".</p>");
        if (l.FusedNodes.Count > 0)
        {
            h.Append("<p>Computed together with: ").Append(E(string.Join(", ", l.FusedNodes))).Append("</p>");
        }

        h.Append("<table><tr><th class=l>attribute</th><th class=l>value</th></tr>");
        foreach (var (k, v) in l.Attributes)
        {
            h.Append("<tr><td class=l>").Append(E(k)).Append("</td><td class=l>").Append(E(v)).Append("</td></tr>");
        }

        h.Append("</table><table><tr><th class=l>value</th><th>max |y−r|</th><th>rel. error</th><th>cosine</th></tr>");
        foreach (var (name, m) in l.InputMetrics.Append(new(l.Value ?? "", l.Metrics!)))
        {
            h.Append("<tr><td class=l>").Append(E(name)).Append("</td><td>").Append(F(m.MaxAbsError)).Append("</td><td>").Append(F(m.PeakRelError)).Append("</td><td>")
                .Append(m.Cosine.ToString("0.0000000", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        h.Append("</table><p>").Append(l.ComparableValues).Append(" comparable values, ").Append(l.ReferenceRuns).Append(" reference runs.</p>");
    }

    private static void Isas(StringBuilder h, ParityResult r)
    {
        h.Append("<h2>ISA matrix</h2><table><tr><th class=l>ISA</th><th class=l>status</th><th>max rel. error vs reference</th><th>max rel. error vs ").Append(E(r.PrimaryIsa))
            .Append("</th><th>max |Δ| vs ").Append(E(r.PrimaryIsa)).Append("</th><th class=l>bit-identical</th><th class=l>note</th></tr>");
        foreach (var c in r.Isas)
        {
            var ran = c.Status == "ran";
            h.Append("<tr><td class=\"l ").Append(!ran ? "" : c.Passed ? "pass" : "fail").Append("\">").Append(E(c.Name)).Append("</td><td class=l>").Append(E(c.Status)).Append("</td><td>")
                .Append(ran ? F(c.MaxRelVsReference) : "").Append("</td><td>").Append(ran ? F(c.MaxRelVsPrimary) : "").Append("</td><td>").Append(ran ? F(c.MaxAbsVsPrimary) : "")
                .Append("</td><td class=l>").Append(ran ? (c.BitIdenticalToPrimary ? "yes" : "no") : "").Append("</td><td class=l>").Append(E(c.Note ?? "")).Append("</td></tr>");
        }

        h.Append("</table>");
    }

    private static void Timings(StringBuilder h, ParityTimings t)
    {
        h.Append("<h2>Time</h2><table><tr><th class=l>phase</th><th>ms</th><th>count</th></tr>");
        foreach (var p in t.Phases)
        {
            h.Append("<tr><td class=l>").Append(E(p.Phase)).Append("</td><td>").Append(p.Milliseconds.ToString("F1", CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(p.Count).Append("</td></tr>");
        }

        h.Append("<tr><td class=l>gate total</td><td>").Append(t.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture))
            .Append("</td><td></td></tr></table><p>The two engines set up and run on two threads, so phases overlap.</p>");
    }

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>A configured limit, with enough digits to tell 0.9999 from 1 (G3 would print both as 1).</summary>
    private static string Limit(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G3", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);
}
