using System.IO.Compression;
using System.Xml.Linq;
using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>
/// dotnet pack of a class library with OnnxModel items: each copied .mnn is package content (contentFiles, None,
/// copyToOutput) that a PackageReference consumer gets in its bin/ under the same relative path; embedded models stay
/// inside the assembly; the library's package does not depend on ModelBuild.
/// </summary>
[TestClass]
public sealed class PackTests
{
    private const string PackageId = "ModelBuild.TestLibrary";
    private const string EmbeddedModel = "models/inline/mosaic-i.onnx";

    [TestMethod]
    [TestCategory("Integration")]
    public void Pack_PutsTheMnnInContentFiles_ConsumersGetItInBin()
    {
        var library = new TestProject("packlib",
            $"<PackageId>{PackageId}</PackageId><PackageVersion>1.0.0</PackageVersion>",
            models: [TestProject.DefaultModel, EmbeddedModel],
            extraItems: $"""<OnnxModel Update="{EmbeddedModel}" EmbedAsResource="true" />""");

        // into the shared local feed, which the consumer's NuGet.config already lists; Debug, where Intermediate points
        var pack = library.Run("pack", "-c", "Debug", "-o", BuildEnvironment.Feed);
        Assert.AreEqual(0, pack.ExitCode, pack.ToString());
        Assert.AreEqual(2, TestProject.Starts(pack, "convert"), "each model converts once, in the build that pack runs:" + Environment.NewLine + pack);
        var nupkg = Path.Combine(BuildEnvironment.Feed, PackageId + ".1.0.0.nupkg");
        Assert.IsTrue(File.Exists(nupkg), pack.ToString());

        var mnn = File.ReadAllBytes(Path.Combine(library.Intermediate, TestProject.MnnPath(TestProject.DefaultModel)));
        const string contentPath = "contentFiles/any/net10.0/models/style/mosaic-mini.mnn";
        XDocument nuspec;
        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            var listing = string.Join(Environment.NewLine, names);
            CollectionAssert.Contains(names, contentPath, listing);
            CollectionAssert.Contains(names, "lib/net10.0/packlib.dll", listing);
            Assert.IsFalse(names.Any(n => n.Contains("mosaic-i", StringComparison.Ordinal)), "an embedded model must not be packed as a file:" + Environment.NewLine + listing);
            Assert.AreEqual(1, names.Count(n => n.EndsWith(".mnn", StringComparison.Ordinal)), listing);
            CollectionAssert.AreEqual(mnn, ReadAll(zip.GetEntry(contentPath)!));
            using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            nuspec = XDocument.Load(nuspecStream);
        }

        var files = nuspec.Descendants().Where(e => e.Name.LocalName == "files" && e.Parent?.Name.LocalName == "contentFiles").ToList();
        var entry = files.SingleOrDefault(f => (string?)f.Attribute("include") == "any/net10.0/models/style/mosaic-mini.mnn");
        Assert.IsNotNull(entry, nuspec.ToString());
        Assert.AreEqual("None", (string?)entry.Attribute("buildAction"), nuspec.ToString());
        Assert.AreEqual("true", (string?)entry.Attribute("copyToOutput"), nuspec.ToString());
        Assert.AreNotEqual("true", (string?)entry.Attribute("flatten"), nuspec.ToString());
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id")).ToList();
        CollectionAssert.DoesNotContain(dependencies, "ModelBuild", "consumers of the library must not get the converter:" + Environment.NewLine + nuspec);

        // pack without a build lists the models the build made and starts no converter
        var noBuildFeed = Path.Combine(BuildEnvironment.Root, "packlib-nobuild");
        var noBuild = library.Run("pack", "-c", "Debug", "--no-build", "-o", noBuildFeed);
        Assert.AreEqual(0, noBuild.ExitCode, noBuild.ToString());
        Assert.AreEqual(0, TestProject.Starts(noBuild, "convert") + TestProject.Starts(noBuild, "check"), noBuild.ToString());
        using (var zip = ZipFile.OpenRead(Path.Combine(noBuildFeed, PackageId + ".1.0.0.nupkg")))
        {
            CollectionAssert.AreEqual(mnn, ReadAll(zip.GetEntry(contentPath) ?? throw new AssertFailedException($"{contentPath} missing after pack --no-build")));
        }

        // a consumer without ModelBuild: the model arrives next to its assembly, in the same folder
        var consumer = Path.Combine(BuildEnvironment.Root, "packconsumer");
        Directory.CreateDirectory(consumer);
        File.Copy(BuildEnvironment.NuGetConfig, Path.Combine(consumer, "NuGet.config"), overwrite: true);
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "packconsumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackageId}" Version="1.0.0" />
              </ItemGroup>
            </Project>
            """);
        var build = Dotnet.Run(consumer, ["build", .. TestProject.CommonArgs]);
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.AreEqual(0, TestProject.Starts(build, "convert"), build.ToString());
        var delivered = Path.Combine(consumer, "bin", "Debug", "net10.0", TestProject.MnnPath(TestProject.DefaultModel));
        Assert.IsTrue(File.Exists(delivered), $"{delivered} missing{Environment.NewLine}{build}");
        CollectionAssert.AreEqual(mnn, File.ReadAllBytes(delivered));
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
