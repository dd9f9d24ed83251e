using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>IDE design-time builds (DesignTimeBuild=true) see the OnnxModel items but never start the converter.</summary>
[TestClass]
public sealed class DesignTimeBuildTests
{
    [TestMethod]
    [TestCategory("Integration")]
    public void DesignTimeBuilds_StartNoConverter_AndWriteNoModel()
    {
        var project = new TestProject("designtime");
        var restore = project.Run("restore");
        Assert.AreEqual(0, restore.ExitCode, restore.ToString());
        string[] designTime = ["-p:DesignTimeBuild=true", "-p:BuildingInsideVisualStudio=true", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true"];

        // what the IDE's project system asks for (the SDK's share of it: CompileDesignTime itself ships with Visual Studio)
        var ideTargets = project.Run("msbuild", ["-v:d", "-t:ResolveAssemblyReferencesDesignTime;ResolveProjectReferencesDesignTime;CollectPackageReferences;Compile;GetCopyToOutputDirectoryItems", .. designTime]);
        Assert.AreEqual(0, ideTargets.ExitCode, ideTargets.ToString());
        StringAssert.Contains(ideTargets.Output, "Done building target \"_ModelBuildResolve\"", "the ModelBuild targets were not reached:" + Environment.NewLine + ideTargets);
        AssertNoConversion(project, ideTargets);

        // a whole build in design-time mode (compiled for real: only the models are skipped)
        var build = project.Build("--no-restore", "-p:DesignTimeBuild=true", "-p:BuildingInsideVisualStudio=true");
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        AssertNoConversion(project, build);
    }

    private static void AssertNoConversion(TestProject project, ProcessResult result)
    {
        Assert.AreEqual(0, TestProject.Starts(result, "convert") + TestProject.Starts(result, "check"), "a design-time build started the converter:" + Environment.NewLine + result);
        var written = project.FilesInObjAndBin("*.mnn").Concat(project.FilesInObjAndBin("*.stamp")).ToList();
        Assert.AreEqual(0, written.Count, "a design-time build wrote: " + string.Join(", ", written));
    }
}
