using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Eltwise over two or more float32 inputs: PROD, SUM (each input times coeff[i] when coeffs are given),
/// MAXIMUM, SUB (x0 − x1 − ...). Inputs broadcast numpy-style, folded left to right.
/// </summary>
[MnnOperator((int)OpType.Eltwise)]
internal sealed class EltwiseExecutor : OperatorExecutor
{
    private readonly EltwiseType _type;
    private readonly float[] _coeff;
    private BroadcastPlan[] _plans = [];
    private float[] _scratch = [];

    public EltwiseExecutor(OpT op)
    {
        var p = ComputeSupport.Param<EltwiseT>(op);
        _type = p.Type;
        _coeff = ComputeSupport.Floats(p.Coeff);
    }

    private bool UsesCoeff => _type == EltwiseType.SUM && _coeff.Length > 0 && _coeff.Any(c => c != 1f);

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 2);
        if (UsesCoeff && _coeff.Length < ctx.Inputs.Length)
        {
            throw ctx.Error($"Eltwise has {_coeff.Length} coefficients for {ctx.Inputs.Length} inputs");
        }

        int[] shape = ComputeSupport.FloatInput(ctx, 0).ShapeArray;
        _plans = new BroadcastPlan[ctx.Inputs.Length - 1];
        for (int i = 1; i < ctx.Inputs.Length; i++)
        {
            var plan = BroadcastPlan.Create(ctx, shape, ComputeSupport.FloatInput(ctx, i).ShapeArray);
            if (i > 1 && !plan.OutShape.AsSpan().SequenceEqual(shape))
            {
                // Later steps accumulate in place, so only the first pair may grow the shape.
                throw ctx.Error($"Eltwise input {i} {ComputeSupport.ShapeText(ctx.Inputs[i].ShapeArray)} would enlarge the running shape {ComputeSupport.ShapeText(shape)}");
            }

            _plans[i - 1] = plan;
            shape = plan.OutShape;
        }

        ctx.Outputs[0].Reshape(shape, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var output = ctx.Outputs[0];
        float[] dst = output.FloatBuffer;
        bool coeff = UsesCoeff;
        float[] first = ctx.Inputs[0].FloatBuffer;
        if (coeff)
        {
            first = Scaled(ctx.Inputs[0], _coeff[0], ref _scratch);
        }

        for (int i = 0; i < _plans.Length; i++)
        {
            float[] left = i == 0 ? first : dst;
            float[] right = ctx.Inputs[i + 1].FloatBuffer;
            if (coeff)
            {
                float[] tmp = new float[ctx.Inputs[i + 1].Length];
                ctx.Inputs[i + 1].Floats.CopyTo(tmp);
                for (int j = 0; j < tmp.Length; j++)
                {
                    tmp[j] *= _coeff[i + 1];
                }

                right = tmp;
            }

            if (i > 0 && left == dst)
            {
                // Folding into the output: copy the running value so reads and writes never alias.
                left = output.Floats.ToArray();
            }

            switch (_type)
            {
                case EltwiseType.PROD: BinaryMath.Run<BinaryMath.FMul, float, float>(_plans[i], left, right, dst); break;
                case EltwiseType.SUM: BinaryMath.Run<BinaryMath.FAdd, float, float>(_plans[i], left, right, dst); break;
                case EltwiseType.MAXIMUM: BinaryMath.Run<BinaryMath.FMax, float, float>(_plans[i], left, right, dst); break;
                case EltwiseType.SUB: BinaryMath.Run<BinaryMath.FSub, float, float>(_plans[i], left, right, dst); break;
                default: throw ctx.Error($"Eltwise type {_type} is not supported");
            }
        }
    }

    private static float[] Scaled(Tensor t, float c, ref float[] scratch)
    {
        if (scratch.Length < t.Length)
        {
            scratch = new float[t.Length];
        }

        var s = t.Floats;
        for (int i = 0; i < s.Length; i++)
        {
            scratch[i] = s[i] * c;
        }

        return scratch;
    }
}
