using ModelBuild.Converter.Graph.Passes;
using ModelBuild.Converter.Onnx;
using ModelBuild.Converter.Tests.Infrastructure;

namespace ModelBuild.Converter.Tests.Passes;

[TestClass]
public sealed class SharedModelTests
{
    [TestMethod]
    public void EveryBackendNodeModelImportsOrThrowsCoded()
    {
        var root = Path.Combine(SharedPaths.Require("onnx-backend"), "node");
        if (!Directory.Exists(root))
        {
            Assert.Inconclusive("../shared/onnx-backend/node is not present");
        }

        var failures = new List<string>();
        var ok = 0;
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var model = Path.Combine(dir, "model.onnx");
            if (!File.Exists(model))
            {
                continue;
            }

            try
            {
                var g = OnnxImporter.Load(model);
                PassPipeline.Run(g);
                ok++;
            }
            catch (ModelBuildException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(dir)}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures));
        Assert.IsGreaterThan(0, ok);
    }

    [TestMethod]
    [DataRow("mobilenet_v2")]
    [DataRow("resnet18")]
    [DataRow("squeezenet1_1")]
    [DataRow("style_mosaic_op11")]
    [DataRow("tiny_transformer_op17")]
    public void SharedModelHasStaticShapesAfterPasses(string name)
    {
        var path = Path.Combine(SharedPaths.Require("models"), name, "model.onnx");
        var g = OnnxImporter.Load(path);
        PassPipeline.Run(g);
        var open = g.Nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0).Select(o => g.Values[o])
            .Where(v => !v.HasStaticShape).Select(v => v.ToString()).Take(10).ToList();
        Assert.IsEmpty(open, $"{name}: values without static shape: {string.Join("; ", open)}");
    }
}
