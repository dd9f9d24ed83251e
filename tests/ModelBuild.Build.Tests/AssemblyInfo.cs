// Every test runs `dotnet build` processes against one packed feed; in parallel they would only fight for 2 cores.
[assembly: DoNotParallelize]
