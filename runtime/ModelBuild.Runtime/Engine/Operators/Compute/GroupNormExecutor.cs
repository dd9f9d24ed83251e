using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Compute;

/// <summary>
/// MNN GroupNorm on [N, C, spatial...] float32: statistics per (n, group) over C/group channels and all spatial
/// positions, then per-channel gamma/beta (parameter, or inputs 1 and 2; length C or empty); bSwish ≠ 0 applies
/// SiLU afterwards. Kernels Normalization.GroupNorm does the math.
/// </summary>
[MnnOperator(OpType.GroupNorm)]
internal sealed class GroupNormExecutor : OperatorExecutor
{
    private readonly GroupNormT _p;
    private readonly float[] _gamma;
    private readonly float[] _beta;

    public GroupNormExecutor(OpT op)
    {
        _p = ComputeSupport.Param<GroupNormT>(op);
        _gamma = ComputeSupport.Floats(_p.Gamma);
        _beta = ComputeSupport.Floats(_p.Beta);
        if (_p.Group <= 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': GroupNorm group {_p.Group} must be positive");
        }
    }

    private float[] Gamma(OpContext ctx) => _gamma.Length > 0 || ctx.Inputs.Length < 2 ? _gamma : ctx.Inputs[1].Floats.ToArray();

    private float[] Beta(OpContext ctx) => _beta.Length > 0 || ctx.Inputs.Length < 3 ? _beta : ctx.Inputs[2].Floats.ToArray();

    public override void Reshape(OpContext ctx)
    {
        var input = ComputeSupport.FloatInput(ctx, 0);
        var s = input.ShapeArray;
        if (s.Length < 2 || s[1] <= 0 || s[1] % _p.Group != 0)
        {
            throw ctx.Error($"GroupNorm with {_p.Group} groups does not fit input {ComputeSupport.ShapeText(s)}");
        }

        int g = Gamma(ctx).Length, b = Beta(ctx).Length;
        if ((g != 0 && g != s[1]) || (b != 0 && b != s[1]))
        {
            throw ctx.Error($"GroupNorm gamma/beta sizes {g}/{b} do not match {s[1]} channels");
        }

        ctx.Outputs[0].Reshape(s, TensorElementType.Float32);
    }

    public override void Execute(OpContext ctx)
    {
        var s = ctx.Inputs[0].ShapeArray;
        int spatial = (int)ComputeSupport.Product(s, 2, s.Length);
        if (ctx.Inputs[0].Length == 0)
        {
            return;
        }

        var y = ctx.Outputs[0].Floats;
        Normalization.GroupNorm(ctx.Isa, ctx.Inputs[0].Floats, y, s[0], s[1], spatial, _p.Group, Gamma(ctx), Beta(ctx), _p.Epsilon, ctx.Threads);
        if (_p.BSwish != 0)
        {
            Elementwise.Unary(ctx.Isa, UnaryFunction.Silu, y, y, threads: ctx.Threads);
        }
    }
}
