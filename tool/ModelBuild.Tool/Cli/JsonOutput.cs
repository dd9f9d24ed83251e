using System.Text;
using System.Text.Json;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// <c>--json</c>: the command's result as one indented JSON object on stdout (UTF-8, newline-terminated), so
/// <c>| jq</c> works; diagnostics and warnings stay on stderr.
/// </summary>
internal static class JsonOutput
{
    public static void Write(TextWriter stdout, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            write(w);
        }

        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
