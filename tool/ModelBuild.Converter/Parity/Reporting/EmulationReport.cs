using System.Net;
using System.Text;
using System.Text.Json;
using ModelBuild.Converter.Parity.Emulation;

namespace ModelBuild.Converter.Parity.Reporting;

/// <summary>The "predicted on device" parts of the JSON and HTML reports (check --emulate).</summary>
internal static class EmulationReport
{
    /// <summary>"emulation": null, or {mode, description, thresholds, fails, passed, maxRelVsReference, minCosine, error, outputs[], localization}.</summary>
    public static void Json(Utf8JsonWriter w, EmulationResult? e)
    {
        if (e is null)
        {
            w.WriteNull("emulation");
            return;
        }

        w.WriteStartObject("emulation");
        w.WriteString("mode", e.Mode);
        w.WriteString("description", e.Description);
        w.WriteStartObject("thresholds");
        Num(w, "maxRelativeError", e.Thresholds.MaxRelError);
        Num(w, "minCosineSimilarity", e.Thresholds.MinCosine);
        w.WriteEndObject();
        w.WriteBoolean("fails", e.Fails);
        w.WriteBoolean("passed", e.WithinLimits);
        Num(w, "maxRelVsReference", e.MaxRelVsReference);
        Num(w, "minCosine", e.MinCosine);
        w.WriteString("error", e.Error ?? "");
        w.WriteStartArray("outputs");
        foreach (var o in e.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("sample", o.SampleId);
            w.WriteString("output", o.Output);
            w.WriteBoolean("passed", o.Passed);
            w.WriteString("failure", o.Failure ?? "");
            w.WritePropertyName("metrics");
            JsonReport.Metrics(w, o.Metrics);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (e.Localization is { } l)
        {
            w.WriteStartObject("localization");
            w.WriteString("output", l.Output);
            w.WriteString("sample", l.SampleId);
            w.WriteBoolean("found", l.Found);
            w.WriteString("value", l.Value ?? "");
            w.WriteString("node", l.NodeName ?? "");
            w.WriteString("opType", l.OpType ?? "");
            w.WriteString("failure", l.Failure ?? "");
            if (l.Metrics is { } m)
            {
                w.WritePropertyName("metrics");
                JsonReport.Metrics(w, m);
            }

            w.WriteNumber("comparableValues", l.ComparableValues);
            w.WriteNumber("referenceRuns", l.ReferenceRuns);
            w.WriteString("note", l.Note ?? "");
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("localization");
        }

        w.WriteEndObject();
    }

    /// <summary>A section with, per output, the float result beside the predicted-on-device one.</summary>
    public static void Html(StringBuilder h, ParityResult r)
    {
        if (r.Emulation is not { } e)
        {
            return;
        }

        h.Append("<h2>Predicted on device (").Append(E(e.Mode)).Append(")</h2><p>").Append(E(e.Description)).Append(". Limits: relative error ≤ ")
            .Append(F(e.Thresholds.MaxRelError)).Append(", cosine similarity ≥ ").Append(ReportNumbers.Cosine(e.Thresholds.MinCosine))
            .Append(e.Fails ? " (exceeding fails the gate)" : " (exceeding warns)").Append(".</p>");
        if (e.Error is not null)
        {
            h.Append("<p class=\"fail\">").Append(E(e.Error)).Append("</p>");
        }

        h.Append("<table><tr><th class=l>sample</th><th class=l>output</th><th>rel. error (float)</th><th>cosine (float)</th><th>rel. error (predicted on device)</th><th>cosine (predicted on device)</th><th class=l>device</th></tr>");
        foreach (var o in e.Outputs)
        {
            var f = r.Samples.FirstOrDefault(s => s.Id == o.SampleId)?.Outputs.FirstOrDefault(x => x.Output == o.Output)?.Metrics;
            var cls = o.Passed ? "pass" : e.Fails ? "fail" : "warn";
            h.Append("<tr><td class=l>").Append(E(o.SampleId)).Append("</td><td class=l>").Append(E(o.Output)).Append("</td><td>")
                .Append(f is null ? "-" : F(f.PeakRelError)).Append("</td><td>").Append(f is null ? "-" : ReportNumbers.Cosine(f.Cosine))
                .Append("</td><td>").Append(o.Metrics.ShapeMatch ? F(o.Metrics.PeakRelError) : E(o.Metrics.Mismatch ?? "mismatch")).Append("</td><td>")
                .Append(ReportNumbers.Cosine(o.Metrics.Cosine)).Append("</td><td class=\"l ").Append(cls).Append("\">")
                .Append(o.Passed ? "ok" : E(o.Failure ?? "")).Append("</td></tr>");
        }

        h.Append("</table>");
        if (e.Localization is { } l)
        {
            h.Append("<p><b>Where the device error grows:</b> ").Append(E(l.Describe())).Append("</p>");
        }
    }

    private static string F(double v) => ReportNumbers.G3(v);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteString(name, double.IsNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        }
    }
}
