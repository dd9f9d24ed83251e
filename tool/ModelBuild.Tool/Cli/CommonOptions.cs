using System.CommandLine;
using ModelBuild.Converter.Onnx;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Tool.Cli;

/// <summary>Options shared by several commands, and the parsing of their values into API types.</summary>
internal static class CommonOptions
{
    public static Option<string[]> InputShape() => new("--input-shape")
    {
        Description = "Fix the shape of an ONNX graph input, e.g. input=1x3x224x224 (repeatable).",
        HelpName = "NAME=DIMS",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary><c>--json</c>: one JSON object on stdout instead of the text (README "Machine-readable output").</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the result as one JSON object on stdout (diagnostics stay on stderr).",
    };

    /// <summary>Parses every <c>NAME=DIMS</c>; MB1012 on bad syntax, MB5001 when a name is given twice.</summary>
    public static Dictionary<string, long[]> ParseInputShapes(string[]? values)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var text in values ?? [])
        {
            var (name, dims) = OnnxImportOptions.ParseInputShape(text);
            if (!shapes.TryAdd(name, dims))
            {
                throw new ModelBuildException(ErrorCodes.UsageError, $"--input-shape is given twice for input '{name}'");
            }
        }

        return shapes;
    }

    /// <summary><c>scalar|128|256|512</c> → level; null when not given; MB5001 otherwise.</summary>
    public static IsaLevel? ParseIsa(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return KernelIsa.Parse(text)
            ?? throw new ModelBuildException(ErrorCodes.UsageError, $"--isa '{text}' is not one of scalar, 128, 256, 512");
    }

    /// <summary>A path argument that must name an existing file; <paramref name="missingCode"/> otherwise.</summary>
    public static string RequireFile(string path, string missingCode, string what)
    {
        if (Directory.Exists(path))
        {
            throw new ModelBuildException(missingCode, $"{what} '{path}' is a folder, not a file");
        }

        if (!File.Exists(path))
        {
            throw new ModelBuildException(missingCode, $"{what} '{path}' does not exist");
        }

        UserFiles.RequireRegularFile(path, missingCode, what);
        return path;
    }
}
