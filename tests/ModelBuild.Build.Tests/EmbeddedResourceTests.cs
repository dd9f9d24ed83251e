using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ModelBuild.Build.Tests.Infrastructure;

namespace ModelBuild.Build.Tests;

/// <summary>ModelBuildEmbedAsResource=true: the .mnn is a manifest resource of the built assembly and is not copied to bin/.</summary>
[TestClass]
public sealed class EmbeddedResourceTests
{
    [TestMethod]
    [TestCategory("Integration")]
    public void EmbedAsResource_PutsTheMnnInTheAssembly_NotInBin()
    {
        var project = new TestProject("embed", "<ModelBuildEmbedAsResource>true</ModelBuildEmbedAsResource>");

        var build = project.Build();
        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.AreEqual(1, TestProject.Starts(build, "check"), "an embedded model is gated like a copied one:" + Environment.NewLine + build);
        var copied = Directory.EnumerateFiles(project.OutputDirectory, "*.mnn", SearchOption.AllDirectories).ToList();
        Assert.AreEqual(0, copied.Count, "embedded models must not be copied to bin/: " + string.Join(", ", copied));

        var mnn = File.ReadAllBytes(Path.Combine(project.Intermediate, TestProject.MnnPath(TestProject.DefaultModel)));
        var resources = ManifestResources(Path.Combine(project.OutputDirectory, "embed.dll"));
        Assert.IsTrue(resources.TryGetValue("models.style.mosaic-mini.mnn", out var embedded),
            "resources: " + string.Join(", ", resources.Keys) + Environment.NewLine + build);
        CollectionAssert.AreEqual(mnn, embedded);
    }

    /// <summary>Name and content of every embedded manifest resource, read from the PE file without loading it.</summary>
    private static Dictionary<string, byte[]> ManifestResources(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var metadata = pe.GetMetadataReader();
        var resourcesRva = pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress;
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil)
            {
                continue; // lives in another file or assembly
            }

            // the resources blob: at each resource's offset, a 4-byte little-endian length, then the bytes
            var block = pe.GetSectionData(resourcesRva + (int)resource.Offset);
            var reader = block.GetReader();
            var length = reader.ReadInt32();
            result[metadata.GetString(resource.Name)] = reader.ReadBytes(length);
        }

        return result;
    }
}
