using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// ROIAlign (RoiParameters) on NCHW float32: inputs (x, rois [R, 4], batch indices [R]) as our converter and upstream
/// write ONNX RoiAlign, or (x, rois [R, 5] with the batch index first). Output [R, C, pooledHeight, pooledWidth].
/// The backward form (outputGrad) is refused.
/// </summary>
[MnnOperator(OpType.ROIAlign)]
internal sealed class RoiAlignExecutor : OperatorExecutor
{
    private readonly RoiAlignParams _p;
    private float[] _rois = [];
    private int[] _batch = [];

    public RoiAlignExecutor(OpT op)
    {
        var roi = ComputeSupport.Param<RoiParametersT>(op);
        if (roi.OutputGrad)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator, $"op '{op.Name}': ROIAlign's backward form (outputGrad) is not supported");
        }

        if (roi.PooledHeight < 1 || roi.PooledWidth < 1 || roi.SamplingRatio < 0 || roi.PoolType is not (PoolType.AVEPOOL or PoolType.MAXPOOL))
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph,
                $"op '{op.Name}': ROIAlign needs pooled sizes ≥ 1, a sampling ratio ≥ 0 and average or max pooling (has {roi.PooledHeight}x{roi.PooledWidth}, {roi.SamplingRatio}, {roi.PoolType})");
        }

        _p = new RoiAlignParams(roi.PooledHeight, roi.PooledWidth, roi.SpatialScale, roi.SamplingRatio, roi.Aligned, roi.PoolType == PoolType.MAXPOOL);
    }

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 2);
        var x = ctx.Inputs[0].ShapeArray;
        var rois = ctx.Inputs[1].ShapeArray;
        int columns = ctx.Inputs.Length > 2 ? 4 : 5;
        if (x.Length != 4 || rois is not [var count, var cols] || cols != columns
            || (ctx.Inputs.Length > 2 && ctx.Inputs[2].Length != count))
        {
            throw ctx.Error($"ROIAlign needs x [N,C,H,W], rois [R,{columns}]{(columns == 4 ? " and batch indices [R]" : "")}; got {ComputeSupport.ShapeText(x)}, {ComputeSupport.ShapeText(rois)}");
        }

        if (_rois.Length != count * 4)
        {
            _rois = new float[count * 4];
            _batch = new int[count];
        }

        ctx.Outputs[0].Reshape([count, x[1], _p.PooledHeight, _p.PooledWidth], TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var x = ctx.Inputs[0].ShapeArray;
        var rois = ctx.Inputs[1].Floats;
        for (int r = 0; r < _batch.Length; r++)
        {
            if (ctx.Inputs.Length > 2)
            {
                rois.Slice(r * 4, 4).CopyTo(_rois.AsSpan(r * 4));
                _batch[r] = ctx.Inputs[2].ElementType == TensorElementType.Int32 ? ctx.Inputs[2].Ints[r] : (int)ctx.Inputs[2].Floats[r];
            }
            else
            {
                rois.Slice((r * 5) + 1, 4).CopyTo(_rois.AsSpan(r * 4));
                _batch[r] = (int)rois[r * 5];
            }

            if ((uint)_batch[r] >= (uint)x[0])
            {
                throw ctx.Error($"batch index {_batch[r]} of region {r} is outside [0, {x[0]})");
            }
        }

        RoiAlign.Compute(ctx.Inputs[0].Floats, x[1], x[2], x[3], _rois, _batch, _p, ctx.Outputs[0].Floats);
    }
}
