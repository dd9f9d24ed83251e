using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelBuild.Converter.Graph;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>A named tensor for a ModuleBasic folder (an input to feed, or an expected output).</summary>
public sealed record NamedTensor(string Name, TensorData Data);

/// <summary>
/// Writes the folder ModuleBasic.out reads (tools/cpp/ModuleBasic.cpp): <c>input.json</c> listing the inputs (name,
/// shape) and outputs by name, one <c>NAME.txt</c> per input and per expected output with one number per line, and
/// an empty <c>output/</c> folder where it dumps what it computed (it is run with this folder as working directory).
/// </summary>
public static class ModuleBasicFolder
{
    /// <summary>ModuleBasic reads each value as a C++ double and stores it as float: integers beyond 2^24 change.</summary>
    private const double ExactIntegerLimit = 16_777_216;

    /// <summary>
    /// Why this input cannot be fed through ModuleBasic's text files, or null when it can. Its reader
    /// (<c>istream &gt;&gt; double</c>, then a cast from float) cannot read NaN or infinities and rounds integers
    /// beyond 2^24.
    /// </summary>
    public static string? NotExpressible(NamedTensor input)
    {
        if (input.Name.Length == 0)
        {
            return "an input has an empty name";
        }

        var data = input.Data;
        if (data.Floats is { } floats)
        {
            return floats.Any(f => !float.IsFinite(f)) ? $"input '{input.Name}' holds NaN or infinity, which ModuleBasic's text reader cannot read" : null;
        }

        return data.Ints!.Any(v => Math.Abs((double)v) > ExactIntegerLimit)
            ? $"input '{input.Name}' ({data.Type}) holds integers beyond 2^24, which ModuleBasic reads through float"
            : null;
    }

    /// <summary>Creates <paramref name="dir"/> with input.json, the input and expected-output files and output/.</summary>
    public static void Write(string dir, IReadOnlyList<NamedTensor> inputs, IReadOnlyList<NamedTensor> expected)
    {
        Directory.CreateDirectory(Path.Combine(dir, "output"));
        File.WriteAllText(Path.Combine(dir, "input.json"), Json(inputs, expected.Select(e => e.Name).ToList()));
        foreach (var t in inputs.Concat(expected))
        {
            var path = Path.Combine(dir, t.Name + ".txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a tensor name may contain '/'
            File.WriteAllText(path, Values(t.Data));
        }
    }

    /// <summary>
    /// input.json: every input with its shape (so dynamic inputs are resized), the outputs in the order ModuleBasic
    /// numbers its dumps, and one repeat (a second run only repeats the same forward).
    /// </summary>
    public static string Json(IReadOnlyList<NamedTensor> inputs, IReadOnlyList<string> outputNames)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", input.Name);
                w.WriteStartArray("shape");
                foreach (var d in input.Data.Shape)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("outputs");
            foreach (var name in outputNames)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            w.WriteNumber("repeat", 1);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>One value per line; floats in round-trip form so the float ModuleBasic stores is exactly ours.</summary>
    public static string Values(TensorData data)
    {
        var sb = new StringBuilder();
        if (data.Floats is { } floats)
        {
            foreach (var f in floats)
            {
                sb.Append(Number(f)).Append('\n');
            }
        }
        else
        {
            foreach (var v in data.Ints!)
            {
                sb.Append(v.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>C++ iostream spellings for the non-finite values (they only occur in expected outputs).</summary>
    private static string Number(float f) => f switch
    {
        float.NaN => "nan",
        float.PositiveInfinity => "inf",
        float.NegativeInfinity => "-inf",
        _ => f.ToString("R", CultureInfo.InvariantCulture),
    };
}
