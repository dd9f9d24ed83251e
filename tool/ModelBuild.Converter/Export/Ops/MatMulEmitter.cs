using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// MatMul → MatMul (1-D operands unsqueezed then squeezed, as ONNX defines them); for int8 weight storage, MatMul by
/// a constant 2-D B of an input with a static shape is written as Gemm's convolution below. Gemm with a constant B →
/// Reshape [-1, K, 1, 1] → 1×1 Convolution (alpha folded into the weight, beta·C into the bias) → Reshape [-1, N],
/// the way upstream encodes fully-connected layers; any other Gemm → MatMul with transposes, then Mul/Add.
/// </summary>
internal static class MatMulEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("MatMul", MatMul);
        t.AddSinceFirst("Gemm", Gemm); // before opset 7 C broadcast only with broadcast=1, else had the output shape: same result
    }

    private static OpParameterUnion Param(bool transposeA, bool transposeB) =>
        OpParameterUnion.FromMatMul(new MatMulT { T = Runtime.Format.Schema.DataType.DT_FLOAT, TransposeA = transposeA, TransposeB = transposeB });

    private static void MatMul(ExportContext ctx, Node n)
    {
        var rankA = ctx.RankOf(n.Inputs[0]);
        var rankB = ctx.RankOf(n.Inputs[1]);
        if (ctx.MatMulAsConvolution && rankA >= 2 && rankB == 2 && ctx.ConstantOf(n, 1) is { IsFloat: true } weight
            && ctx.StaticShapeOf(n.Inputs[0]) is { } shapeA && shapeA[^1] == weight.Shape[0])
        {
            // x [..., K] · W [K, N] → Reshape [-1, K, 1, 1] → 1×1 Convolution → Reshape [..., N] (zero bias)
            int k = (int)weight.Shape[0], m = (int)weight.Shape[1];
            int[] outShape = [.. shapeA[..^1].Select(d => (int)d), m];
            GemmAsConvolution(ctx, n, weight.ToFloatArray(), false, k, m, 1f, new float[m], outShape);
            return;
        }

        var a = ctx.In(n, 0);
        var b = ctx.In(n, 1);
        if (rankA != 1 && rankB != 1)
        {
            ctx.Final(n, OpType.MatMul, Param(false, false), a, b);
            return;
        }

        // A 1-D operand gains a unit axis (A: in front, B: behind) that is removed from the result afterwards.
        var name = n.Out0();
        var squeeze = new List<int>();
        var ra = rankA ?? 2;
        var rb = rankB ?? 2;
        if (rankA == 1)
        {
            a = ctx.Unsqueeze(name + "/a2d", a, 0);
            ra = 2;
        }

        if (rankB == 1)
        {
            b = ctx.Unsqueeze(name + "/b2d", b, 1);
            rb = 2;
        }

        var resultRank = Math.Max(ra, rb);
        if (rankA == 1)
        {
            squeeze.Add(resultRank - 2);
        }

        if (rankB == 1)
        {
            squeeze.Add(resultRank - 1);
        }

        var product = ctx.AddTemp(OpType.MatMul, name + "/matmul", Param(false, false), a, b);
        ctx.Final(n, OpType.Squeeze, MnnParams.Squeeze(squeeze), product);
    }

    private static void Gemm(ExportContext ctx, Node n)
    {
        var alpha = n.GetFloat("alpha", 1f);
        var beta = n.GetFloat("beta", 1f);
        var transA = n.GetInt("transA", 0) != 0;
        var transB = n.GetInt("transB", 0) != 0;
        var bConst = ctx.ConstantOf(n, 1);
        var cConst = n.HasInput(2) ? ctx.ConstantOf(n, 2) : null;
        if (!transA && bConst is { IsFloat: true, Shape.Length: 2 } && (!n.HasInput(2) || cConst is not null))
        {
            var k = (int)(transB ? bConst.Shape[1] : bConst.Shape[0]);
            var m = (int)(transB ? bConst.Shape[0] : bConst.Shape[1]);
            if (BiasVector(cConst, m, beta) is { } bias)
            {
                GemmAsConvolution(ctx, n, bConst.Floats!, transB, k, m, alpha, bias, [-1, m]);
                return;
            }
        }

        var name = n.Out0();
        var hasC = n.HasInput(2);
        var y = ctx.AddTemp(OpType.MatMul, name + "/matmul", Param(transA, transB), ctx.In(n, 0), ctx.In(n, 1));
        if (alpha != 1f)
        {
            y = ctx.Binary(name + "/alpha", BinaryOpOperation.MUL, y, ctx.ConstFloats(name + "/alpha_value", [alpha]));
        }

        if (!hasC)
        {
            ctx.Final(n, OpType.Identity, null, y);
            return;
        }

        var c = ctx.In(n, 2);
        if (beta != 1f)
        {
            c = ctx.Binary(name + "/beta", BinaryOpOperation.MUL, c, ctx.ConstFloats(name + "/beta_value", [beta]));
        }

        ctx.Final(n, OpType.BinaryOp, MnnParams.Binary(BinaryOpOperation.ADD), y, c);
    }

    /// <summary>beta·C as a per-output vector when C broadcasts along the output axis only; null otherwise.</summary>
    private static float[]? BiasVector(TensorData? c, int m, float beta)
    {
        if (c is null)
        {
            return new float[m];
        }

        var values = c.ToFloatArray();
        var shape = c.Shape;
        var rowVector = shape.Length <= 1 || (shape.Length == 2 && shape[0] == 1);
        if (!rowVector || (values.Length != m && values.Length != 1))
        {
            return null;
        }

        return Enumerable.Range(0, m).Select(i => beta * values[values.Length == 1 ? 0 : i]).ToArray();
    }

    private static void GemmAsConvolution(ExportContext ctx, Node n, float[] b, bool transB, int k, int m, float alpha, float[] bias, int[] outShape)
    {
        // Convolution weight [M, K, 1, 1] = alpha · Bᵀ (B is [K, M], or [M, K] when transB).
        var weight = new float[m * k];
        for (var o = 0; o < m; o++)
        {
            for (var i = 0; i < k; i++)
            {
                weight[(o * k) + i] = alpha * (transB ? b[(o * k) + i] : b[(i * m) + o]);
            }
        }

        var name = n.Out0();
        var conv = new Convolution2DT
        {
            Common = new Convolution2DCommonT
            {
                KernelX = 1, KernelY = 1, StrideX = 1, StrideY = 1, DilateX = 1, DilateY = 1,
                Group = 1, InputCount = k, OutputCount = m, PadMode = PadMode.CAFFE,
            },
            Weight = [.. weight],
            Bias = [.. bias],
        };
        var x4 = ctx.Reshape(name + "/reshape_in", ctx.In(n, 0), ctx.ConstInts(name + "/shape_in", [-1, k, 1, 1], 4));
        var y4 = ctx.AddTemp(OpType.Convolution, name + "__matmul_converted", OpParameterUnion.FromConvolution2D(conv), x4);
        ctx.Final(n, OpType.Reshape, MnnParams.Reshape(), y4, ctx.ConstInts(name + "/shape_out", outShape, outShape.Length));
    }
}
