using System.Text;
using System.Text.Json;
using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Converter.Parity.Reference;

namespace ModelBuild.Converter.Parity.Reporting;

/// <summary>
/// The machine-readable report. Schema (version <see cref="ParityResult.CurrentSchemaVersion"/>): camelCase keys;
/// non-finite numbers are written as the strings "Infinity", "-Infinity", "NaN".
/// </summary>
public static class JsonReport
{
    /// <summary>"timings": total and per-phase wall-clock milliseconds (informational; varies run to run).</summary>
    private static void Timings(Utf8JsonWriter w, ParityTimings t)
    {
        w.WriteStartObject("timings");
        w.WriteNumber("totalMs", Math.Round(t.TotalMilliseconds, 1));
        w.WriteStartArray("phases");
        foreach (var p in t.Phases)
        {
            w.WriteStartObject();
            w.WriteString("phase", p.Phase);
            w.WriteNumber("ms", Math.Round(p.Milliseconds, 1));
            w.WriteNumber("count", p.Count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string Render(ParityResult r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", r.SchemaVersion);
            w.WriteString("tool", "ModelBuild parity gate");
            w.WriteString("verdict", r.VerdictText);
            w.WriteBoolean("passed", r.Passed);
            w.WriteString("onnx", r.OnnxPath);
            w.WriteString("candidate", r.Candidate);
            w.WriteString("command", r.CommandLine ?? "");
            w.WriteNumber("seed", r.Seed);
            w.WriteBoolean("strict", r.Strict);
            w.WriteString("primaryIsa", r.PrimaryIsa);
            w.WriteBoolean("addedRepresentativeSamples", r.AddedRepresentativeSamples);
            w.WritePropertyName("thresholds");
            Thresholds(w, r.Thresholds);
            w.WriteString("thresholdsFrom", r.LimitsFrom ?? "options");
            w.WriteStartObject("outputThresholds");
            foreach (var (o, t) in r.OutputThresholds)
            {
                w.WritePropertyName(o);
                Thresholds(w, t);
            }

            w.WriteEndObject();
            w.WriteStartArray("messages");
            foreach (var m in r.Messages)
            {
                w.WriteStartObject();
                w.WriteString("code", m.Code);
                w.WriteString("severity", m.Severity);
                w.WriteString("text", m.Text);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("samples");
            foreach (var s in r.Samples)
            {
                Sample(w, s);
            }

            w.WriteEndArray();
            w.WriteStartArray("isas");
            foreach (var c in r.Isas)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("status", c.Status);
                w.WriteString("note", c.Note ?? "");
                Num(w, "maxRelVsReference", c.MaxRelVsReference);
                Num(w, "maxRelVsPrimary", c.MaxRelVsPrimary);
                Num(w, "maxAbsVsPrimary", c.MaxAbsVsPrimary);
                w.WriteBoolean("bitIdenticalToPrimary", c.BitIdenticalToPrimary);
                w.WriteBoolean("passed", c.Passed);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            Timings(w, r.Timings);
            if (r.Localization is { } l)
            {
                w.WriteStartObject("localization");
                w.WriteString("output", l.Output);
                w.WriteString("sample", l.SampleId);
                w.WriteBoolean("found", l.Found);
                w.WriteString("value", l.Value ?? "");
                w.WriteString("node", l.NodeName ?? "");
                w.WriteString("opType", l.OpType ?? "");
                w.WriteStartObject("attributes");
                foreach (var (k, v) in l.Attributes)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
                w.WriteString("failure", l.Failure ?? "");
                if (l.Metrics is { } m)
                {
                    w.WritePropertyName("metrics");
                    Metrics(w, m);
                }

                w.WriteStartObject("inputs");
                foreach (var (k, m2) in l.InputMetrics)
                {
                    w.WritePropertyName(k);
                    Metrics(w, m2);
                }

                w.WriteEndObject();
                w.WriteStartArray("fusedNodes");
                foreach (var f in l.FusedNodes)
                {
                    w.WriteStringValue(f);
                }

                w.WriteEndArray();
                w.WriteNumber("comparableValues", l.ComparableValues);
                w.WriteNumber("referenceRuns", l.ReferenceRuns);
                w.WriteString("note", l.Note ?? "");
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("localization");
            }

            EmulationReport.Json(w, r.Emulation);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Sample(Utf8JsonWriter w, SampleResult s)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("origin", s.Origin);
        w.WriteBoolean("generated", s.Generated);
        w.WriteBoolean("judged", s.Judged);
        w.WriteBoolean("illConditioned", s.IllConditioned);
        w.WriteString("candidateError", s.CandidateError ?? "");
        w.WriteStartArray("constantInputs");
        foreach (var c in s.ConstantInputs)
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        w.WriteStartArray("degenerate");
        foreach (var d in s.Degenerate)
        {
            Degenerate(w, d);
        }

        w.WriteEndArray();
        w.WriteStartArray("outputs");
        foreach (var o in s.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("output", o.Output);
            w.WriteString("isa", o.Isa);
            w.WriteBoolean("passed", o.Passed);
            w.WriteString("failure", o.Failure ?? "");
            w.WritePropertyName("metrics");
            Metrics(w, o.Metrics);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Degenerate(Utf8JsonWriter w, DegenerateFinding d)
    {
        w.WriteStartObject();
        w.WriteString("node", d.NodeName);
        w.WriteString("opType", d.OpType);
        w.WriteString("input", d.InputName);
        Num(w, "epsilon", d.Epsilon);
        Num(w, "minVariance", d.MinVariance);
        w.WriteNumber("degenerateGroups", d.DegenerateGroups);
        w.WriteNumber("totalGroups", d.TotalGroups);
        w.WriteStartArray("channels");
        foreach (var c in d.Channels)
        {
            w.WriteNumberValue(c);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Thresholds(Utf8JsonWriter w, ParityThresholds t)
    {
        w.WriteStartObject();
        Num(w, "maxRelativeError", t.MaxRelError);
        Num(w, "minCosineSimilarity", t.MinCosine);
        if (t.Atol is { } a)
        {
            Num(w, "atol", a);
        }
        else
        {
            w.WriteNull("atol");
        }

        if (t.Rtol is { } rt)
        {
            Num(w, "rtol", rt);
        }
        else
        {
            w.WriteNull("rtol");
        }

        w.WriteEndObject();
    }

    internal static void Metrics(Utf8JsonWriter w, TensorMetrics m)
    {
        w.WriteStartObject();
        w.WriteBoolean("shapeMatch", m.ShapeMatch);
        w.WriteString("mismatch", m.Mismatch ?? "");
        w.WriteNumber("elements", m.ElementCount);
        w.WriteNumber("nonFiniteMismatches", m.NonFiniteMismatches);
        Num(w, "maxAbsError", m.MaxAbsError);
        Num(w, "relativeError", m.PeakRelError);
        Num(w, "referencePeak", m.ReferencePeak);
        Num(w, "relL2", m.RelL2);
        Num(w, "cosine", m.Cosine);
        Num(w, "atol", m.Atol);
        Num(w, "rtol", m.Rtol);
        w.WriteNumber("elementwiseViolations", m.ElementwiseViolations);
        Num(w, "elementwiseViolationFraction", m.ElementwiseViolationFraction);
        w.WriteStartArray("worst");
        foreach (var e in m.Worst)
        {
            w.WriteStartObject();
            w.WriteNumber("index", e.Index);
            w.WriteStartArray("position");
            foreach (var p in e.Position)
            {
                w.WriteNumberValue(p);
            }

            w.WriteEndArray();
            Num(w, "reference", e.Reference);
            Num(w, "candidate", e.Candidate);
            Num(w, "absError", e.AbsError);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("histogram");
        for (var i = 0; i < m.Histogram.Length; i++)
        {
            w.WriteNumber(TensorMetrics.HistogramLabels[i], m.Histogram[i]);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

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
