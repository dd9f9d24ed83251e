using ModelBuild.Runtime.Engine.Operators.Shape;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Indexing;

/// <summary>
/// NonMaxSuppressionV2 (upstream layout, TensorFlow's single-class NMS): inputs (boxes [N, 4] as two corners
/// (y1, x1, y2, x2) in any order, scores [N], max_output int32[, iou_threshold[, score_threshold]]). Candidates with
/// score &gt; score_threshold are taken by descending score — ties by lower index, as ONNX Runtime does (upstream's
/// heap order is unspecified there) — and kept unless their IoU with a kept box exceeds iou_threshold. The output is
/// int32 [min(max_output, N)], kept indices first, the rest −1, exactly as upstream shapes it.
/// </summary>
[MnnOperator(OpType.NonMaxSuppressionV2)]
internal sealed class NonMaxSuppressionExecutor : OperatorExecutor
{
    private float[] _scores = [];
    private int[] _order = [];

    public override bool ShapeDependsOnInputValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 3, 5);
        var boxes = ctx.Inputs[0].ShapeArray;
        var scores = ctx.Inputs[1].ShapeArray;
        if (boxes is not [var n, 4] || scores.Length != 1 || scores[0] != n)
        {
            throw ctx.Error($"boxes {ShapeSupport.Show(boxes)} and scores {ShapeSupport.Show(scores)} must be [N, 4] and [N]");
        }

        var max = ShapeSupport.ReadScalar(ctx, 2);
        if (max < 0)
        {
            throw ctx.Error($"max_output_boxes {max} is negative");
        }

        if (ctx.Inputs.Length > 3 && ThresholdOf(ctx, 3) is var iou and (< 0f or > 1f or float.NaN))
        {
            throw ctx.Error($"iou_threshold {iou} is outside [0, 1]");
        }

        ctx.Outputs[0].Reshape([(int)Math.Min(max, n)], TensorElementType.Int32);
    }

    public override void Execute(OpContext ctx)
    {
        var scores = ctx.Inputs[1].Floats;
        if (_scores.Length != scores.Length)
        {
            _scores = new float[scores.Length];
            _order = new int[scores.Length];
        }

        scores.CopyTo(_scores); // the comparer needs an array; scratch kept between runs
        var output = ctx.Outputs[0].Ints;
        float iouThreshold = ctx.Inputs.Length > 3 ? ThresholdOf(ctx, 3) : 0f;
        float scoreThreshold = ctx.Inputs.Length > 4 ? ThresholdOf(ctx, 4) : float.MinValue;
        int kept = BoxSuppression.Select(ctx.Inputs[0].Floats, _scores, iouThreshold, scoreThreshold, _order, output);
        output[kept..].Fill(-1);
    }

    private static float ThresholdOf(OpContext ctx, int input) => ctx.Inputs[input] switch
    {
        { Length: 0 } => throw ctx.Error($"input {input} (a threshold) is empty"),
        { ElementType: TensorElementType.Float32 } t => t.Floats[0],
        var t => t.Ints[0],
    };
}
