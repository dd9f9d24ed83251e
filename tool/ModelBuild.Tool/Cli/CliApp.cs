using System.CommandLine;
using System.CommandLine.Help;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// Builds the command tree and runs one command line. Every failure ends up as one <c>MB####: message</c>
/// line on stderr and the exit code of <see cref="ExitCodes"/>: usage errors (MB5001, exit 2), ModelBuildException
/// (its own code, exit 4) and anything else (MB9999 internal error, exit 3).
/// </summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, BuildRoot);

    /// <summary>Runs <paramref name="args"/> against the command tree made by <paramref name="buildRoot"/> (tests add commands).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<CliConsole, RootCommand> buildRoot)
    {
        var console = new CliConsole(stdout, stderr) { Interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected };
        try
        {
            var root = buildRoot(console);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
            {
                var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
                foreach (var error in parse.Errors)
                {
                    var token = unmatched.FirstOrDefault(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal));
                    var hint = token is null ? null : Suggestions.Closest(parse.CommandResult.Command, token);
                    console.Diagnostic(ErrorCodes.UsageError, error.Message + (hint is null ? "" : $" Did you mean '{hint}'?"));
                }

                stderr.WriteLine("Run 'dotnet model-convert --help' for usage.");
                return ExitCodes.Usage;
            }

            console.Verbosity = parse.GetValue<Verbosity>(VerbosityOptionName);
            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (ModelBuildException e)
        {
            console.Diagnostic(e.Code, e.Message);
            return ExitCodes.For(e);
        }
        catch (Exception e)
        {
            console.Diagnostic(ErrorCodes.InternalError, $"internal error ({e.GetType().Name}): {e.Message}");
            if (Environment.GetEnvironmentVariable("MODELBUILD_DEBUG") == "1")
            {
                stderr.WriteLine(e);
            }

            return ExitCodes.Internal;
        }
    }

    private const string VerbosityOptionName = "--verbosity";

    public static RootCommand BuildRoot(CliConsole console)
    {
        var root = new RootCommand("dotnet model-convert: convert ONNX models to MNN (.mnn), run and inspect them.");
        root.Options.Add(new Option<Verbosity>(VerbosityOptionName, "-v")
        {
            Description = "How much to print on stderr: quiet (errors only), normal (plus warnings; progress on a terminal), detailed (plus progress always).",
            Recursive = true,
            DefaultValueFactory = _ => Verbosity.Normal,
        });
        root.Subcommands.Add(ConvertCommand.Create(console));
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(InspectCommand.Create(console));
        root.Subcommands.Add(CheckCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        return root;
    }
}
