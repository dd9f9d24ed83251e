using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Shape;

/// <summary>Shared permutation copy: output dim i is input dim perm[i].</summary>
internal abstract class PermutationExecutor : OperatorExecutor
{
    private int[] _srcStrides = [];
    private int[] _dstStrides = [];

    protected abstract int[] Permutation(OpContext ctx);

    /// <summary>Only input 1 (Transpose's permutation) is read for the shape; the strides are planned here.</summary>
    public override bool ShapeReadsOnlyParameterValues => true;

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        var shape = ctx.Inputs[0].ShapeArray;
        var perm = Permutation(ctx);
        if (perm.Length == 0)
        {
            perm = Enumerable.Range(0, shape.Length).Reverse().ToArray();
        }

        if (perm.Length != shape.Length)
        {
            throw ctx.Error($"permutation {ShapeSupport.Show(perm)} does not match rank of {ShapeSupport.Show(shape)}");
        }

        var seen = new bool[perm.Length];
        for (int i = 0; i < perm.Length; i++)
        {
            perm[i] = ShapeSupport.Axis(ctx, perm[i], perm.Length);
            if (seen[perm[i]])
            {
                throw ctx.Error($"{ShapeSupport.Show(perm)} is not a permutation");
            }

            seen[perm[i]] = true;
        }

        var outShape = perm.Select(p => shape[p]).ToArray();
        ctx.Outputs[0].Reshape(outShape, ctx.Inputs[0].ElementType);
        var inStrides = StridedCopy.Strides(shape);
        _srcStrides = perm.Select(p => inStrides[p]).ToArray();
        _dstStrides = StridedCopy.Strides(outShape);
    }

    public override void Execute(OpContext ctx) =>
        StridedCopy.Copy(ctx.Inputs[0], 0, _srcStrides, ctx.Outputs[0], 0, _dstStrides, ctx.Outputs[0].ShapeArray);
}

/// <summary>Transpose: permutation from the second input (empty or absent = reverse the dimensions).</summary>
[MnnOperator(OpType.Transpose)]
internal sealed class TransposeExecutor : PermutationExecutor
{
    public override bool ShapeDependsOnInputValues => true;

    protected override int[] Permutation(OpContext ctx) => ctx.Inputs.Length > 1 ? ShapeSupport.ReadInts(ctx, 1) : [];
}

/// <summary>Permute: permutation from the <c>dims</c> parameter.</summary>
[MnnOperator(OpType.Permute)]
internal sealed class PermuteExecutor(OpT op) : PermutationExecutor
{
    private readonly int[] _dims = ShapeSupport.RequireParam<PermuteT>(op).Dims?.ToArray() ?? [];

    protected override int[] Permutation(OpContext ctx) => (int[])_dims.Clone();
}

/// <summary>
/// DepthToSpace / SpaceToDepth on NCHW tensors (blockSize, DCR or CRD mode), as a 6-D transpose copy.
/// DCR: [N, b, b, C', H, W] → [N, C', H, b, W, b]; CRD: [N, C', b, b, H, W] → [N, C', H, b, W, b].
/// SpaceToDepth is the inverse of DCR.
/// </summary>
[MnnOperator(OpType.DepthToSpace, OpType.SpaceToDepth)]
internal sealed class DepthSpaceExecutor(OpT op) : OperatorExecutor
{
    private readonly bool _toSpace = op.Type == OpType.DepthToSpace;
    private readonly DepthSpaceParamT _p = ShapeSupport.RequireParam<DepthSpaceParamT>(op);
    private int[] _srcShape6 = [];
    private int[] _perm = [];

    public override void Reshape(OpContext ctx)
    {
        ShapeSupport.RequireInputs(ctx, 1);
        var s = ctx.Inputs[0].ShapeArray;
        int b = _p.BlockSize;
        if (s.Length != 4 || b <= 0)
        {
            throw ctx.Error($"needs a 4-D NCHW input and a positive block size, got {ShapeSupport.Show(s)} and {b}");
        }

        int n = s[0], c = s[1], h = s[2], w = s[3];
        if (_toSpace)
        {
            if (c % (b * b) != 0)
            {
                throw ctx.Error($"channels {c} are not divisible by block size {b} squared");
            }

            int oc = c / (b * b);
            bool crd = _p.Mode == DepthToSpaceMode.CRD;
            _srcShape6 = crd ? [n, oc, b, b, h, w] : [n, b, b, oc, h, w];
            _perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2];
            ctx.Outputs[0].Reshape([n, oc, h * b, w * b], ctx.Inputs[0].ElementType);
        }
        else
        {
            if (h % b != 0 || w % b != 0)
            {
                throw ctx.Error($"height {h} and width {w} must be divisible by block size {b}");
            }

            _srcShape6 = [n, c, h / b, b, w / b, b];
            _perm = [0, 3, 5, 1, 2, 4];
            ctx.Outputs[0].Reshape([n, c * b * b, h / b, w / b], ctx.Inputs[0].ElementType);
        }
    }

    public override void Execute(OpContext ctx)
    {
        var inStrides = StridedCopy.Strides(_srcShape6);
        var outShape6 = _perm.Select(p => _srcShape6[p]).ToArray();
        StridedCopy.Copy(ctx.Inputs[0], 0, _perm.Select(p => inStrides[p]).ToArray(), ctx.Outputs[0], 0, StridedCopy.Strides(outShape6), outShape6);
    }
}
