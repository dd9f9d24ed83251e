using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

[TestClass]
public static class AssemblySetup
{
    [AssemblyInitialize]
    public static void Initialize(TestContext _)
    {
        if (!File.Exists(BuildEnvironment.SampleModel))
        {
            Assert.Inconclusive($"the sample model {BuildEnvironment.SampleModel} is missing (dotnet run --project samples/ModelBuild.SampleModels)");
        }

        BuildEnvironment.Prepare();
    }

    [AssemblyCleanup]
    public static void Cleanup() => BuildEnvironment.Cleanup();
}
