using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MatMul / BatchMatMul: C = op(A)·op(B) (+ bias[n] from the parameter or input 2) on float32, where op transposes
/// the last two axes when transposeA/B (adjX/adjY) is set. Leading batch axes broadcast numpy-style; a rank-1
/// A is a row [1, K] and a rank-1 B a column [K, 1] whose unit axis is dropped from the result.
/// </summary>
[MnnOperator((int)OpType.MatMul, (int)OpType.BatchMatMul)]
internal sealed class MatMulExecutor : OperatorExecutor
{
    private readonly bool _transposeA;
    private readonly bool _transposeB;
    private readonly float[] _bias;
    private int[] _batchShape = [];
    private int[] _batchStrideA = [];
    private int[] _batchStrideB = [];
    private int _m, _n, _k;

    public MatMulExecutor(OpT op)
    {
        if (ComputeSupport.OptionalParam<BatchMatMulParamT>(op) is { } bp)
        {
            _transposeA = bp.AdjX;
            _transposeB = bp.AdjY;
            _bias = [];
        }
        else
        {
            var p = ComputeSupport.OptionalParam<MatMulT>(op);
            _transposeA = p?.TransposeA ?? false;
            _transposeB = p?.TransposeB ?? false;
            _bias = ComputeSupport.Floats(p?.Bias);
        }
    }

    public override void Reshape(OpContext ctx)
    {
        var a = ComputeSupport.FloatInput(ctx, 0);
        var b = ComputeSupport.FloatInput(ctx, 1);
        if (a.Rank < 1 || b.Rank < 1)
        {
            throw ctx.Error("MatMul inputs must have rank ≥ 1");
        }

        int[] sa = a.Rank == 1 ? (_transposeA ? [a.ShapeArray[0], 1] : [1, a.ShapeArray[0]]) : a.ShapeArray;
        int[] sb = b.Rank == 1 ? (_transposeB ? [1, b.ShapeArray[0]] : [b.ShapeArray[0], 1]) : b.ShapeArray;
        _m = _transposeA ? sa[^1] : sa[^2];
        int ka = _transposeA ? sa[^2] : sa[^1];
        int kb = _transposeB ? sb[^1] : sb[^2];
        _n = _transposeB ? sb[^2] : sb[^1];
        if (ka != kb)
        {
            throw ctx.Error($"MatMul inner dimensions differ: {ComputeSupport.ShapeText(a.ShapeArray)} × {ComputeSupport.ShapeText(b.ShapeArray)}");
        }

        _k = ka;
        var batchA = sa.AsSpan(0, sa.Length - 2);
        var batchB = sb.AsSpan(0, sb.Length - 2);
        _batchShape = BroadcastPlan.Shape(batchA, batchB)
            ?? throw ctx.Error($"MatMul batch axes of {ComputeSupport.ShapeText(a.ShapeArray)} and {ComputeSupport.ShapeText(b.ShapeArray)} cannot be broadcast");
        _batchStrideA = BatchStrides(batchA, _batchShape, _m * _k);
        _batchStrideB = BatchStrides(batchB, _batchShape, _k * _n);
        var bias = Bias(ctx);
        if (bias.Length != 0 && bias.Length != _n)
        {
            throw ctx.Error($"MatMul bias has {bias.Length} values, expected {_n}");
        }

        var shape = new List<int>(_batchShape);
        if (a.Rank != 1)
        {
            shape.Add(_m);
        }

        if (b.Rank != 1)
        {
            shape.Add(_n);
        }

        ctx.Outputs[0].Reshape(shape.ToArray(), TensorElementType.Float32);
        FoldBatchIntoRows(batchA);
    }

    /// <summary>
    /// A batched A against one shared B (a linear layer applied per token, e.g. [16, 1, 64] × [64, 192]) is one GEMM
    /// of batch·M rows instead of a GEMM per batch of M rows: A's batches are then consecutive rows and C's too.
    /// Every output element is the same dot product in the same order, so the bits do not change; small-M GEMMs
    /// (M = 1 here) paid the call and panel set-up per batch and dominated small transformer models.
    /// </summary>
    private void FoldBatchIntoRows(ReadOnlySpan<int> batchA)
    {
        if (_transposeA || _batchShape.Length == 0 || !batchA.SequenceEqual(_batchShape) || _batchStrideB.Any(s => s != 0))
        {
            return;
        }

        long rows = (long)_m * ComputeSupport.Product(_batchShape, 0, _batchShape.Length);
        if (rows > int.MaxValue / Math.Max(1, Math.Max(_k, _n)))
        {
            return;
        }

        _m = (int)rows;
        _batchShape = [];
        _batchStrideA = [];
        _batchStrideB = [];
    }

    /// <summary>The last Reshape's plan (read by the fp16 emulation's executor, Engine/Emulation).</summary>
    internal (int M, int N, int K, bool TransposeA, bool TransposeB, int[] BatchShape, int[] BatchStrideA, int[] BatchStrideB) Plan =>
        (_m, _n, _k, _transposeA, _transposeB, _batchShape, _batchStrideA, _batchStrideB);

    internal float[] BiasOf(OpContext ctx) => Bias(ctx);

    private float[] Bias(OpContext ctx) => _bias.Length > 0 || ctx.Inputs.Length < 3 ? _bias : ctx.Inputs[2].Floats.ToArray();

    private static int[] BatchStrides(ReadOnlySpan<int> shape, int[] outShape, int matrix)
    {
        var s = new int[outShape.Length];
        int stride = matrix;
        for (int i = outShape.Length - 1; i >= 0; i--)
        {
            int j = i - (outShape.Length - shape.Length);
            int d = j >= 0 ? shape[j] : 1;
            s[i] = d == 1 ? 0 : stride;
            stride *= d;
        }

        return s;
    }

    public override void Execute(OpContext ctx)
    {
        ReadOnlySpan<float> a = ctx.Inputs[0].Floats, b = ctx.Inputs[1].Floats;
        var c = ctx.Outputs[0].Floats;
        int m = _m, n = _n, k = _k;
        ReadOnlySpan<float> bias = Bias(ctx);
        var biasKind = bias.IsEmpty ? GemmBias.None : GemmBias.PerColumn;
        int batches = (int)ComputeSupport.Product(_batchShape, 0, _batchShape.Length);
        for (int batch = 0; batch < batches; batch++)
        {
            int offA = 0, offB = 0, rest = batch;
            for (int i = _batchShape.Length - 1; i >= 0; i--)
            {
                int idx = rest % _batchShape[i];
                rest /= _batchShape[i];
                offA += idx * _batchStrideA[i];
                offB += idx * _batchStrideB[i];
            }

            Gemm.Compute(
                ctx.Isa, m, n, k,
                a.Slice(offA, m * k), _transposeA ? m : k, _transposeA,
                b.Slice(offB, k * n), _transposeB ? k : n, _transposeB,
                c.Slice(batch * m * n, m * n), n,
                bias, biasKind, threads: ctx.Threads);
        }
    }
}
