using System.Globalization;
using System.Text.Json;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Parity.Metrics;
using ModelBuild.Runtime;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// <c>run</c> against the expected <c>output_K.pb</c> files of an ONNX test_data_set folder (beside the
/// <c>input_K.pb</c> files): each file is matched to a model output by tensor name, else by position K, and compared
/// with the gate's metrics and default limits (relative error, cosine similarity).
/// </summary>
internal static class OutputComparison
{
    public sealed record Row(string File, string Output, TensorMetrics Metrics, bool Passed);

    /// <summary>The expected output files of the <c>--inputs</c> folder (none for a single input file).</summary>
    public static IReadOnlyList<(int Index, string Path)> Find(string inputs) =>
        Directory.Exists(inputs) ? TensorFolder.ListOutputs(inputs) : [];

    public static List<Row> Compare(IReadOnlyList<(int Index, string Path)> expected, IReadOnlyList<(string Name, Tensor Value, DataType? Type)> outputs, ParityThresholds limits)
    {
        var rows = new List<Row>();
        foreach (var (k, path) in expected)
        {
            var (name, reference) = TensorProtoCodec.ReadTensorFile(path);
            var index = outputs.ToList().FindIndex(o => o.Name == name);
            if (index < 0)
            {
                index = k < outputs.Count ? k : throw new ModelBuildException(ErrorCodes.RuntimeUnknownInput,
                    $"{path}: tensor '{name}' matches no model output by name, and the model has only {outputs.Count} output(s)");
            }

            var (outputName, value, type) = outputs[index];
            var metrics = TensorComparer.Compare(reference, TensorBridge.ToIr(value, type, outputName), limits);
            rows.Add(new Row(path, outputName, metrics, metrics.Passes(limits)));
        }

        return rows;
    }

    public static void WriteText(TextWriter o, List<Row> rows, ParityThresholds limits)
    {
        foreach (var r in rows)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"compare {Path.GetFileName(r.File)}  {r.Output}  max|y-r|={r.Metrics.MaxAbsError:G3} relative error={r.Metrics.PeakRelError:G3} cosine similarity={r.Metrics.Cosine:0.000000}  {(r.Passed ? "ok" : "FAIL")}"));
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compare: {rows.Count(r => r.Passed)}/{rows.Count} outputs within limits (relative error <= {limits.MaxRelError:G3}, cosine similarity >= {limits.MinCosine:G6})"));
    }

    public static void WriteJson(Utf8JsonWriter w, List<Row> rows)
    {
        w.WriteStartArray("comparison");
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("expected", r.File);
            w.WriteString("output", r.Output);
            w.WriteBoolean("passed", r.Passed);
            w.WriteNumber("maxAbsError", Finite(r.Metrics.MaxAbsError));
            w.WriteNumber("relativeError", Finite(r.Metrics.PeakRelError));
            w.WriteNumber("cosine", Finite(r.Metrics.Cosine));
            w.WriteBoolean("shapeMatch", r.Metrics.ShapeMatch);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    // JSON has no infinity: a broken comparison (zero reference, NaN) is reported as the largest double
    private static double Finite(double v) => double.IsFinite(v) ? v : double.MaxValue;
}
