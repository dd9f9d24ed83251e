using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN Reduction: SUM, ASUM (Σ|x|), SUMSQ, MEAN, MAXIMUM, MINIMUM, PROD, ANY, ALL over the axes in <c>dim</c>
/// (negative allowed), or over the int32 axes of input 1, or over every axis when neither is given; keepDims keeps
/// unit axes. Float sums/products accumulate in double in input order. Int32 inputs give int32 (ANY/ALL give 0/1).
/// </summary>
[MnnOperator((int)OpType.Reduction)]
internal sealed class ReductionExecutor : OperatorExecutor
{
    private readonly ReductionParamT _p;
    private bool[] _reduced = [];
    private int _count;

    private readonly bool _axesFromInput;

    public ReductionExecutor(OpT op)
    {
        _p = ComputeSupport.Param<ReductionParamT>(op);
        _axesFromInput = op.InputIndexes is null || op.InputIndexes.Count != 1;
    }

    public override bool ShapeDependsOnInputValues => _p.Dim is not { Count: > 0 } && _axesFromInput;

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 1);
        var input = ctx.Inputs[0];
        var s = input.ShapeArray;
        int[] axes = _p.Dim is { Count: > 0 } ? [.. _p.Dim]
            : ctx.Inputs.Length > 1 && ctx.Inputs[1].ElementType == TensorElementType.Int32 ? ctx.Inputs[1].Ints.ToArray()
            : Enumerable.Range(0, s.Length).ToArray();
        _reduced = new bool[s.Length];
        foreach (var a in axes)
        {
            _reduced[ComputeSupport.Axis(ctx, a, s.Length)] = true;
        }

        var shape = new List<int>();
        _count = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (_reduced[i])
            {
                _count *= s[i];
                if (_p.KeepDims)
                {
                    shape.Add(1);
                }
            }
            else
            {
                shape.Add(s[i]);
            }
        }

        var type = input.ElementType;
        if (_p.Operation is ReductionType.ANY or ReductionType.ALL)
        {
            type = TensorElementType.Int32;
        }

        ctx.Outputs[0].Reshape(shape.ToArray(), type);
    }

    public override void Execute(OpContext ctx)
    {
        var input = ctx.Inputs[0];
        var s = input.ShapeArray;
        int outLength = ctx.Outputs[0].Length;
        var op = _p.Operation;
        var acc = new double[outLength];
        double init = op switch
        {
            ReductionType.MAXIMUM => double.NegativeInfinity,
            ReductionType.MINIMUM => double.PositiveInfinity,
            ReductionType.PROD or ReductionType.ALL => 1.0,
            _ => 0.0,
        };
        Array.Fill(acc, init);
        bool isFloat = input.ElementType == TensorElementType.Float32;
        float[] fs = isFloat ? input.FloatBuffer : [];
        int[] ints = isFloat ? [] : input.IntBuffer;

        // Output strides over the kept axes; reduced axes contribute 0.
        int rank = s.Length;
        var outStride = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            outStride[i] = _reduced[i] ? 0 : stride;
            stride *= _reduced[i] ? 1 : s[i];
        }

        var index = new int[rank];
        int o = 0;
        for (int n = 0; n < input.Length; n++)
        {
            double x = isFloat ? fs[n] : ints[n];
            ref double a = ref acc[o];
            a = op switch
            {
                ReductionType.SUM or ReductionType.MEAN => a + x,
                ReductionType.ASUM => a + Math.Abs(x),
                ReductionType.SUMSQ => a + x * x,
                ReductionType.MAXIMUM => x > a || double.IsNaN(x) ? x : a,
                ReductionType.MINIMUM => x < a || double.IsNaN(x) ? x : a,
                ReductionType.PROD => a * x,
                ReductionType.ANY => a != 0 || x != 0 ? 1 : 0,
                ReductionType.ALL => a != 0 && x != 0 ? 1 : 0,
                _ => throw ctx.Error($"reduction {op} is not supported"),
            };
            for (int i = rank - 1; i >= 0; i--)
            {
                o += outStride[i];
                if (++index[i] < s[i])
                {
                    break;
                }

                o -= outStride[i] * s[i];
                index[i] = 0;
            }
        }

        var output = ctx.Outputs[0];
        for (int i = 0; i < outLength; i++)
        {
            double v = op == ReductionType.MEAN ? acc[i] / _count : acc[i];
            if (output.ElementType == TensorElementType.Float32)
            {
                output.FloatBuffer[i] = (float)v;
            }
            else
            {
                output.IntBuffer[i] = op == ReductionType.MEAN ? (int)Math.Truncate(v) : (int)Math.Clamp(v, int.MinValue, int.MaxValue);
            }
        }
    }
}
