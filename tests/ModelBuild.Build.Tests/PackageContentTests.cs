using System.IO.Compression;
using System.Xml.Linq;
using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>
/// What the three packages hold as a NuGet user gets them: metadata (licence, readme, URLs, tags), only the build
/// hosts' ONNX Runtime natives, the runtime's XML docs and symbol package; and a fresh console app that takes
/// ModelBuild (converts the sample at build time) and ModelBuild.Runtime (runs it) from the local feed.
/// </summary>
[TestClass]
public sealed class PackageContentTests
{
    private static readonly string[] HostRids = ["linux-x64", "linux-arm64", "osx-arm64", "win-x64"];

    [TestMethod]
    [TestCategory("Integration")]
    [DataRow("ModelBuild")]
    [DataRow("ModelBuild.Tool")]
    [DataRow("ModelBuild.Runtime")]
    public void Package_HasMetadataAndReadme(string id)
    {
        var (names, nuspec) = Open(id);
        var listing = string.Join(Environment.NewLine, names);
        CollectionAssert.Contains(names, "README.md", listing);
        Assert.AreEqual("README.md", Field(nuspec, "readme"), nuspec.ToString());
        Assert.AreEqual("MIT", Field(nuspec, "license"), nuspec.ToString());
        StringAssert.StartsWith(Field(nuspec, "projectUrl"), "https://github.com/", nuspec.ToString());
        StringAssert.Contains(Field(nuspec, "tags"), "onnx", nuspec.ToString());
        Assert.IsFalse(string.IsNullOrWhiteSpace(Field(nuspec, "description")), nuspec.ToString());
        var repository = nuspec.Descendants().Single(e => e.Name.LocalName == "repository");
        Assert.AreEqual("git", (string?)repository.Attribute("type"), nuspec.ToString());
        StringAssert.StartsWith((string?)repository.Attribute("url"), "https://github.com/", nuspec.ToString());
    }

    [TestMethod]
    [TestCategory("Integration")]
    [DataRow("ModelBuild")]
    [DataRow("ModelBuild.Tool")]
    public void BuildTimePackages_ShipOnlyTheBuildHostsNatives(string id)
    {
        var (names, _) = Open(id);
        var rids = names.Where(n => n.StartsWith("tools/net10.0/any/runtimes/", StringComparison.Ordinal))
            .Select(n => n.Split('/')[4]).Distinct().Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEquivalent(HostRids, rids, string.Join(Environment.NewLine, names));
        var size = new FileInfo(Path.Combine(BuildEnvironment.Feed, $"{id}.0.1.0.nupkg")).Length;
        // 162 MB with the mobile archives and win-arm64; about 43 MB with the four host RIDs
        Assert.IsLessThan(60L << 20, size, $"{id} is {size:N0} bytes");
    }

    [TestMethod]
    [TestCategory("Integration")]
    public void RuntimePackage_ShipsXmlDocsAndSymbols()
    {
        var (names, _) = Open("ModelBuild.Runtime");
        CollectionAssert.Contains(names, "lib/net10.0/ModelBuild.Runtime.dll", string.Join(Environment.NewLine, names));
        CollectionAssert.Contains(names, "lib/net10.0/ModelBuild.Runtime.xml", string.Join(Environment.NewLine, names));
        using (var zip = ZipFile.OpenRead(Path.Combine(BuildEnvironment.Feed, "ModelBuild.Runtime.0.1.0.nupkg")))
        {
            using var xml = zip.GetEntry("lib/net10.0/ModelBuild.Runtime.xml")!.Open();
            var members = XDocument.Load(xml).Descendants("member").Select(m => (string?)m.Attribute("name")).ToList();
            CollectionAssert.Contains(members, "T:ModelBuild.Runtime.MnnSession", "the docs IntelliSense shows");
        }

        var symbols = Path.Combine(BuildEnvironment.Feed, "ModelBuild.Runtime.0.1.0.snupkg");
        Assert.IsTrue(File.Exists(symbols), symbols);
        using var snupkg = ZipFile.OpenRead(symbols);
        CollectionAssert.Contains(snupkg.Entries.Select(e => e.FullName).ToList(), "lib/net10.0/ModelBuild.Runtime.pdb");
    }

    [TestMethod]
    [TestCategory("Integration")]
    public void ConsoleApp_FromTheFeed_ConvertsAtBuildAndRunsWithTheRuntime()
    {
        var app = new TestProject("feedconsumer",
            "<OutputType>Exe</OutputType><ImplicitUsings>enable</ImplicitUsings>",
            extraItems: """<PackageReference Include="ModelBuild.Runtime" Version="0.1.0" />""");
        File.WriteAllText(Path.Combine(app.Directory, "Program.cs"), """
            using ModelBuild.Runtime;
            using ModelBuild.Runtime.Kernels;

            // the model ModelBuild converted during this app's build, beside the app
            var model = MnnModel.Load(Path.Combine(AppContext.BaseDirectory, "models", "style", "mosaic-mini.mnn"));
            using var session = new MnnSession(model, new MnnSessionOptions { Isa = IsaLevel.Scalar });
            var input = model.Inputs[0];
            var data = new float[1 * 3 * 64 * 64];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (i % 97) / 97f;
            }

            var outputs = session.Run(new Dictionary<string, Tensor> { [input.Name] = Tensor.FromFloats(data, 1, 3, 64, 64) });
            var y = outputs[session.OutputNames[0]];
            Console.WriteLine($"output {session.OutputNames[0]} [{string.Join(",", y.Shape)}] finite={y.Floats.ToArray().All(float.IsFinite)}");
            // the public surface: what an app uses, no schema or kernel types
            foreach (var type in typeof(MnnModel).Assembly.GetExportedTypes().OrderBy(t => t.FullName))
            {
                Console.WriteLine($"exported {type.FullName}");
            }
            """);

        var build = app.Build();
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        var docs = Path.Combine(BuildEnvironment.PackagesFolder, "modelbuild.runtime", "0.1.0", "lib", "net10.0", "ModelBuild.Runtime.xml");
        Assert.IsTrue(File.Exists(docs), $"{docs}: the restored package has no XML docs for IntelliSense");

        var run = Dotnet.RunProgram(Dotnet.HostPath, app.Directory, Path.Combine(app.OutputDirectory, "feedconsumer.dll"));
        Assert.AreEqual(0, run.ExitCode, run.ToString());
        StringAssert.Contains(run.Output, "[1,3,64,64] finite=True", run.ToString());
        var exported = run.Output.Split('\n').Where(l => l.StartsWith("exported ", StringComparison.Ordinal)).Select(l => l["exported ".Length..].Trim()).ToList();
        foreach (var api in new[] { "MnnModel", "MnnSession", "MnnSessionOptions", "Tensor", "TensorInfo", "TensorElementType", "IsaLevel", "ModelBuildException", "ErrorCodes" })
        {
            Assert.IsTrue(exported.Any(t => t.EndsWith("." + api, StringComparison.Ordinal)), $"{api} is not public:{Environment.NewLine}{run}");
        }

        var leaked = exported.Where(t => t.StartsWith("ModelBuild.Runtime.Format", StringComparison.Ordinal)
            || (t.StartsWith("ModelBuild.Runtime.Kernels.", StringComparison.Ordinal) && t != "ModelBuild.Runtime.Kernels.IsaLevel")).ToList();
        Assert.IsEmpty(leaked, "schema/kernel types in the public API: " + string.Join(", ", leaked));
    }

    private static (List<string> Names, XDocument Nuspec) Open(string id)
    {
        var path = Path.Combine(BuildEnvironment.Feed, $"{id}.0.1.0.nupkg");
        Assert.IsTrue(File.Exists(path), path);
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        using var stream = zip.GetEntry($"{id}.nuspec")!.Open();
        return (names, XDocument.Load(stream));
    }

    private static string? Field(XDocument nuspec, string name) =>
        (string?)nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name && e.Parent?.Name.LocalName == "metadata");
}
