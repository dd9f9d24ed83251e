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
            .Append("body{font:14px/1.6 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}")
            .Append("th{background:#f3f3f3}td.l,th.l{text-align:left}.pass{color:#17702a;font-weight:600}.fail{color:#b00020;font-weight:600}.warn{color:#9a6700;font-weight:600}")
            // no vertical padding on code: the background of a wrapped line's fragment would paint over the underscores of the line above
            .Append("code{background:#f5f5f5;padding:0 .25em;overflow-wrap:anywhere;-webkit-box-decoration-break:clone;box-decoration-break:clone}h2{margin-top:1.6em;border-bottom:1px solid #ddd}")
            .Append("td:first-child{white-space:nowrap}td.worst{text-align:left;font:12px/1.5 ui-monospace,monospace}td.worst span{white-space:nowrap;display:block}")
            .Append(".legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:-.1em}.note{color:#555;font-size:12px}</style></head><body>");
        var cls = r.Verdict == ParityVerdict.Failed ? "fail" : r.Verdict == ParityVerdict.PassedWithWarnings ? "warn" : "pass";
        h.Append("<h1>Parity: <span class=\"").Append(cls).Append("\">").Append(E(r.VerdictText)).Append("</span></h1>");
        h.Append("<p>Reference <code>").Append(P(r.OnnxPath)).Append("</code> in ONNX Runtime; candidate <code>").Append(P(r.Candidate)).Append("</code> in ModelBuild at ISA ").Append(E(r.PrimaryIsa)).Append(".</p>");
        h.Append("<p>Command: <code>").Append(P(r.CommandLine ?? "(library call)")).Append("</code><br>Seed: ").Append(r.Seed).Append(r.Strict ? " · strict" : "")
            .Append(" · limits").Append(r.LimitsFrom is null ? "" : $" ({E(r.LimitsFrom)})").Append(": relative error ≤ ").Append(F(r.Thresholds.MaxRelError)).Append(", cosine similarity ≥ ").Append(C(r.Thresholds.MinCosine));
        if (r.Thresholds.ElementwiseDecides)
        {
            h.Append(", ").Append(Rule(r.Thresholds, "≤"));
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
        h.Append("<h2>Outputs per sample</h2><table><tr><th class=l>sample</th><th class=l>origin</th><th class=l>status</th><th class=l>output</th><th>max |y−r|</th><th>rel. error</th><th>rel L2</th><th>cosine</th><th>elementwise violations<br>(").Append(Rule(r.Thresholds, "&gt;")).Append(r.Thresholds.ElementwiseDecides ? ")" : ";<br>reported, not judged)")
            .Append("</th><th class=l>worst elements<br>[index]: ref → got</th></tr>");
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
                    .Append(C(m.Cosine)).Append("</td><td>").Append(m.ElementwiseViolations).Append(" (").Append(F(m.ElementwiseViolationFraction * 100)).Append("%)");

                // an output with its own atol/rtol says so where its count is shown
                if (m.Atol != r.Thresholds.EffectiveAtol || m.Rtol != r.Thresholds.EffectiveRtol)
                {
                    h.Append("<br><span class=note>at atol ").Append(F(m.Atol)).Append(", rtol ").Append(F(m.Rtol)).Append("</span>");
                }

                h.Append("</td><td class=worst>");
                foreach (var w in m.Worst)
                {
                    h.Append("<span>[").Append(string.Join(",", w.Position)).Append("]: ").Append(F(w.Reference)).Append(" → ").Append(F(w.Candidate)).Append("</span>");
                }

                h.Append("</td></tr>");
            }
        }

        h.Append("</table>");
    }

    private const string Within = "#3a7bd5", Near = "#e0a030", Beyond = "#c0392b";

    /// <summary>
    /// One SVG bar chart per output: |y−r| per decade, summed over judged samples (log-scaled bar heights), coloured
    /// against the output's limit on |y−r|: the relative-error limit times max|r|, the tightest over judged samples.
    /// </summary>
    private static void Histograms(StringBuilder h, ParityResult r)
    {
        var outputs = r.Samples.SelectMany(s => s.Outputs).Select(o => o.Output).Distinct().ToList();
        if (outputs.Count == 0)
        {
            return;
        }

        h.Append("<h2>Distribution of |y−r|</h2><p class=legend>Colour against the output's limit on |y−r| (relative-error limit × max|r|, the tightest over judged samples; dashed line):")
            .Append("<span style=\"background:").Append(Within).Append("\"></span>below a tenth of the limit")
            .Append("<span style=\"background:").Append(Near).Append("\"></span>within a decade of the limit, or straddling it")
            .Append("<span style=\"background:").Append(Beyond).Append("\"></span>beyond the limit</p>");
        foreach (var output in outputs)
        {
            var judged = r.Samples.Where(s => s.Judged).SelectMany(s => s.Outputs).Where(o => o.Output == output && o.Metrics.ShapeMatch).ToList();
            var counts = new long[TensorMetrics.HistogramLabels.Length];
            foreach (var o in judged)
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] += o.Metrics.Histogram[i];
                }
            }

            var maxRel = (r.OutputThresholds.GetValueOrDefault(output) ?? r.Thresholds).MaxRelError;
            double? limit = judged.Count == 0 ? null : judged.Min(o => maxRel * o.Metrics.ReferencePeak);
            var max = Math.Max(1, counts.Max());
            const int barW = 46, chartH = 140, top = 40;
            var width = counts.Length * barW + 20;
            h.Append("<h3>").Append(E(output)).Append("</h3><p class=note>")
                .Append(limit is { } lim ? $"limit |y−r| ≤ {F(lim)} (relative error {F(maxRel)} × max|r| {F(lim / maxRel)})" : "no judged sample: bars uncoloured by a limit")
                .Append("</p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width).Append("\" height=\"").Append(chartH + top + 40)
                .Append("\" role=\"img\" aria-label=\"histogram of absolute errors\">");
            for (var i = 0; i < counts.Length; i++)
            {
                var frac = counts[i] == 0 ? 0 : Math.Log10(counts[i] + 1) / Math.Log10(max + 1);
                var bh = (int)Math.Round(frac * chartH);
                var x = 10 + i * barW;
                var color = limit is { } l ? BucketColour(i, l) : Within;
                h.Append("<rect x=\"").Append(x + 4).Append("\" y=\"").Append(top + chartH - bh).Append("\" width=\"").Append(barW - 8).Append("\" height=\"").Append(bh)
                    .Append("\" fill=\"").Append(color).Append("\"><title>").Append(E(TensorMetrics.HistogramLabels[i])).Append(": ").Append(counts[i]).Append("</title></rect>");
                h.Append("<text x=\"").Append(x + barW / 2).Append("\" y=\"").Append(top + chartH - bh - 4).Append("\" font-size=\"10\" text-anchor=\"middle\">").Append(counts[i]).Append("</text>");
                h.Append("<text x=\"").Append(x + barW / 2).Append("\" y=\"").Append(top + chartH + 16).Append("\" font-size=\"11\" text-anchor=\"middle\">").Append(E(TensorMetrics.HistogramLabels[i])).Append("</text>");
            }

            if (limit is { } at)
            {
                var lx = (10 + LimitPosition(at) * barW).ToString("0.#", CultureInfo.InvariantCulture);
                h.Append("<line x1=\"").Append(lx).Append("\" x2=\"").Append(lx).Append("\" y1=\"").Append(18).Append("\" y2=\"").Append(top + chartH)
                    .Append("\" stroke=\"").Append(Beyond).Append("\" stroke-dasharray=\"4 3\"/><text x=\"").Append(lx).Append("\" y=\"").Append(12)
                    .Append("\" font-size=\"11\" text-anchor=\"middle\" fill=\"").Append(Beyond).Append("\">limit ").Append(F(at)).Append("</text>");
            }

            h.Append("<text x=\"10\" y=\"").Append(top + chartH + 34).Append("\" font-size=\"11\">|y−r| per decade (bucket label = lower bound), judged samples; bar height log-scaled</text></svg>");
        }
    }

    /// <summary>Lower and upper bound of a histogram bucket (see <see cref="TensorMetrics.Histogram"/>).</summary>
    private static (double Lo, double Hi) BucketRange(int i) => i switch
    {
        0 => (0, 0),
        1 => (double.Epsilon, 1e-9),
        _ when i == TensorMetrics.HistogramLabels.Length - 1 => (1, double.PositiveInfinity),
        _ => (Math.Pow(10, i - 11), Math.Pow(10, i - 10)),
    };

    /// <summary>Beyond when every error in the bucket exceeds the limit; near when some may be within 10× below it.</summary>
    private static string BucketColour(int i, double limit)
    {
        var (lo, hi) = BucketRange(i);
        return i == 0 ? Within : lo > limit ? Beyond : hi > limit / 10 ? Near : Within;
    }

    /// <summary>The limit's x in bucket widths, log-interpolated inside its decade bucket.</summary>
    private static double LimitPosition(double limit)
    {
        if (limit <= 0)
        {
            return 1;
        }

        var b = TensorComparer.Bucket(limit);
        var (lo, hi) = BucketRange(b);
        var within = double.IsFinite(hi) && lo > double.Epsilon ? Math.Log10(limit / lo) / Math.Log10(hi / lo) : 0.5;
        return b + Math.Clamp(within, 0, 1);
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
                .Append(C(m.Cosine)).Append("</td></tr>");
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

    /// <summary>A path (or a command holding paths) that may wrap after each '/' rather than mid-name.</summary>
    private static string P(string? s) => E(s).Replace("/", "/<wbr>", StringComparison.Ordinal);

    private static string F(double v) => ReportNumbers.G3(v);

    private static string C(double v) => ReportNumbers.Cosine(v);

    /// <summary>"|y−r| OP atol + rtol·|r|" with the effective tolerances, each named.</summary>
    private static string Rule(ParityThresholds t, string op) =>
        $"|y−r| {op} atol + rtol·|r|, atol {F(t.EffectiveAtol)}, rtol {F(t.EffectiveRtol)}";
}
