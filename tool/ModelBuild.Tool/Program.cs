using ModelBuild.Tool.Cli;

// Entry point of `dotnet model-convert`: all logic lives in Cli/ so tests can run it in-process.
return CliApp.Run(args, Console.Out, Console.Error);
