using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// InnerProduct (Caffe fully-connected): flattens the input from <c>axis</c> (default 1) into K features and computes
/// y[.., o] = Σ W[o, k]·x[.., k] + bias[o]; <c>transpose</c> means W is stored [K, outputCount].
/// </summary>
[MnnOperator((int)OpType.InnerProduct)]
internal sealed class InnerProductExecutor : OperatorExecutor
{
    private readonly InnerProductT _p;
    private readonly float[] _weightT; // [K, outputCount], the GEMM's B
    private readonly float[]? _bias;
    private readonly int _out;
    private int _rows, _k;

    public InnerProductExecutor(OpT op)
    {
        _p = ComputeSupport.Param<InnerProductT>(op);
        var w = ComputeSupport.Floats(_p.Weight);
        _out = _p.OutputCount;
        if (_out <= 0 || w.Length == 0 || w.Length % _out != 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': InnerProduct has {w.Length} weights for {_out} outputs");
        }

        int k = w.Length / _out;
        if (_p.Transpose)
        {
            _weightT = w;
        }
        else
        {
            _weightT = new float[w.Length];
            for (int o = 0; o < _out; o++)
            {
                for (int i = 0; i < k; i++)
                {
                    _weightT[i * _out + o] = w[o * k + i];
                }
            }
        }

        _bias = _p.BiasTerm != 0 && _p.Bias is { Count: > 0 } ? [.. _p.Bias] : null;
        if (_bias is not null && _bias.Length != _out)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': InnerProduct bias has {_bias.Length} values for {_out} outputs");
        }
    }

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        int axis = ComputeSupport.Axis(ctx, _p.Axis == 0 ? 1 : _p.Axis, Math.Max(s.Length, 1));
        _k = (int)ComputeSupport.Product(s, axis, s.Length);
        _rows = (int)ComputeSupport.Product(s, 0, axis);
        if ((long)_k * _out != _weightT.Length)
        {
            throw ctx.Error($"InnerProduct expects {_weightT.Length / _out} features, input {ComputeSupport.ShapeText(s)} has {_k} from axis {axis}");
        }

        var shape = s.AsSpan(0, axis).ToArray().Append(_out).ToArray();
        ctx.Outputs[0].Reshape(shape, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx) =>
        Gemm.Compute(
            ctx.Isa, _rows, _out, _k,
            ctx.Inputs[0].Floats, _k, false,
            _weightT, _out, false,
            ctx.Outputs[0].Floats, _out,
            _bias, _bias is null ? GemmBias.None : GemmBias.PerColumn, threads: ctx.Threads);
}
