using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Tests.Infrastructure;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>NonMaxSuppression: per batch and class, kept boxes only (no −1 padding), ties by lower index as ORT.</summary>
[TestClass]
public sealed class NonMaxSuppressionOpTests : OpTestBase
{
    [TestMethod]
    [DataRow(0L, true, DisplayName = "corners, score threshold")]
    [DataRow(1L, true, DisplayName = "centers, score threshold")]
    [DataRow(0L, false, DisplayName = "corners, no score threshold")]
    public void RandomBoxes(long centerPointBox, bool scoreThreshold)
    {
        const int batches = 2, classes = 3, count = 40;
        string[] inputs = scoreThreshold ? ["boxes", "scores", "max", "iou", "score"] : ["boxes", "scores", "max", "iou"];
        var builder = new OnnxModelBuilder(11)
            .Input("boxes", IrDataType.Float, batches, count, 4).Input("scores", IrDataType.Float, batches, classes, count)
            .Initializer("max", new long[] { 7 }, 1).Initializer("iou", new float[] { 0.4f }, 1);
        if (scoreThreshold)
        {
            builder.Initializer("score", new float[] { 0.1f }, 1);
        }

        var model = builder
            .Node("NonMaxSuppression", inputs, ["selected"], attrs: a => a.Int("center_point_box", centerPointBox))
            .Output("selected", IrDataType.Int64).Build();
        var boxes = new float[batches * count * 4];
        var rng = new Random(5);
        for (var i = 0; i < batches * count; i++)
        {
            // clustered boxes so that many overlap; centers format reads them as (xc, yc, w, h)
            var (a, b) = (rng.Next(4) * 3f + (float)rng.NextDouble(), rng.Next(4) * 3f + (float)rng.NextDouble());
            (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) = centerPointBox == 1
                ? (a, b, 1f + (float)rng.NextDouble() * 2f, 1f + (float)rng.NextDouble() * 2f)
                : (a, b, a + 1f + (float)rng.NextDouble() * 2f, b + 1f + (float)rng.NextDouble() * 2f);
        }

        var scores = TestTensors.Random(6, [(long)batches, classes, count], -0.5f, 1f);
        scores[3] = scores[4]; // a tie
        AssertMatchesOnnxRuntime(model, new Dictionary<string, TestInput>
        {
            ["boxes"] = (boxes, new long[] { batches, count, 4 }),
            ["scores"] = (scores, new long[] { batches, classes, count }),
        });
    }

    [TestMethod]
    public void AbsentMaxOutputSelectsNothing()
    {
        var model = new OnnxModelBuilder(11)
            .Input("boxes", IrDataType.Float, 1, 3, 4).Input("scores", IrDataType.Float, 1, 1, 3)
            .Node("NonMaxSuppression", ["boxes", "scores"], ["selected"])
            .Output("selected", IrDataType.Int64).Build();
        AssertMatchesOnnxRuntime(model);
    }

    [TestMethod]
    public void UnknownBatchOrClassCountIsRefused()
    {
        var model = new OnnxModelBuilder(11)
            .Input("boxes", IrDataType.Float, "B", 3, 4).Input("scores", IrDataType.Float, "B", 1, 3)
            .Node("NonMaxSuppression", ["boxes", "scores"], ["selected"])
            .Output("selected", IrDataType.Int64).Build();
        var e = Assert.ThrowsExactly<ModelBuildException>(() => ModelConverter.Convert(SaveModel(model)));
        StringAssert.Contains(e.Message, "NonMaxSuppression");
    }
}
