using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// Det: float32 [..., M, M] → [...], the determinant of each trailing square matrix (<see cref="Determinant"/>).
/// Upstream's own kernel reads the input as [batch, M, M]; our converter writes that rank, and any rank ≥ 2 runs here.
/// </summary>
[MnnOperator(OpType.Det)]
internal sealed class DeterminantExecutor : OperatorExecutor
{
    private int _m;
    private double[] _scratch = [];

    public override void Reshape(OpContext ctx)
    {
        ComputeSupport.RequireInputs(ctx, 1);
        var s = ctx.Inputs[0].ShapeArray;
        if (s.Length < 2 || s[^1] != s[^2])
        {
            throw ctx.Error($"input must be [..., M, M], is [{string.Join(",", s)}]");
        }

        if (ctx.Inputs[0].ElementType != TensorElementType.Float32)
        {
            throw ctx.Error($"input must be float32, is {ctx.Inputs[0].ElementType}");
        }

        _m = s[^1];
        if (_scratch.Length < _m * _m)
        {
            _scratch = new double[_m * _m];
        }

        ctx.Outputs[0].Reshape(s[..^2], TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx) =>
        Determinant.Compute(ctx.Inputs[0].Floats, _m, ctx.Outputs[0].Floats, _scratch);
}
