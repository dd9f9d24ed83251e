using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Recurrent;

/// <summary>
/// MNN RNNSequenceGRU as MNNConvert writes an ONNX GRU with <c>--useOriginRNNImpl</c> (upstream's CPURNNSequenceGRU):
/// X [seq, batch, input], then per direction gateWeight [input + H, 2H] (z, r of W then R, transposed), gateBias
/// [1, 2H] (Wb z, r), candidateWeight [input + H, H], candidateBias [1, H] (Wb h), recurrentBias [1, 3H] (Rb z, r, h),
/// and an optional last input initial h [dirs, batch, H]. keepAllOutputs: Y [seq, dirs, batch, H] (and Y_h
/// [dirs, batch, H] when there are two outputs); otherwise the only output is Y_h. Math: Kernels' Recurrent.Sequence.
/// Unlike upstream, Y_h of the backward direction is its final state (upstream copies a scratch buffer there).
/// </summary>
[MnnOperator(OpType.RNNSequenceGRU)]
internal sealed class GruExecutor : OperatorExecutor
{
    private const int PerDirection = 5;
    private readonly RNNParamT _p;
    private readonly RecurrentCell _cell;
    private int _seq, _batch, _input, _dirs;
    private float[] _wT = [];
    private float[] _rT = [];
    private float[] _bx = [];
    private float[] _y = [];
    private float[] _scratch = [];

    public GruExecutor(OpT op)
    {
        _p = ComputeSupport.Param<RNNParamT>(op);
        _cell = _p.LinearBeforeReset ? RecurrentCell.GruLinearBeforeReset : RecurrentCell.Gru;
        _dirs = _p.IsBidirectionalRNN ? 2 : 1;
        if (_p.NumUnits <= 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': GRU numUnits {_p.NumUnits} must be positive");
        }
    }

    private bool HasInitial(OpContext ctx) => ctx.Inputs.Length > 1 + (PerDirection * _dirs) && ctx.Inputs[^1].Length != 0;

    public override void Reshape(OpContext ctx)
    {
        int h = _p.NumUnits;
        if (ctx.Inputs.Length < 1 + (PerDirection * _dirs))
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator,
                $"op '{ctx.OpName}': RNNSequenceGRU with {ctx.Inputs.Length} input(s) keeps its weights in the parameter (the TensorFlow form), which this runtime does not implement; the ONNX form has {1 + (PerDirection * _dirs)} or more inputs");
        }

        var x = ComputeSupport.RequireRank(ctx, ComputeSupport.FloatInput(ctx, 0), 3, "GRU input X");
        (_seq, _batch, _input) = (x[0], x[1], x[2]);
        for (int d = 0; d < _dirs; d++)
        {
            int b = 1 + (d * PerDirection);
            Expect(ctx, b, (long)(_input + h) * 2 * h, "gateWeight");
            Expect(ctx, b + 1, 2L * h, "gateBias");
            Expect(ctx, b + 2, (long)(_input + h) * h, "candidateWeight");
            Expect(ctx, b + 3, h, "candidateBias");
            Expect(ctx, b + 4, 3L * h, "recurrentBias");
        }

        long state = (long)_dirs * _batch * h;
        if (HasInitial(ctx))
        {
            Expect(ctx, ctx.Inputs.Length - 1, state, "initial h");
        }

        if (_p.KeepAllOutputs)
        {
            ctx.Outputs[0].Reshape([_seq, _dirs, _batch, h], TensorElementType.Float32);
            if (ctx.Outputs.Length > 1)
            {
                ctx.Outputs[1].Reshape([_dirs, _batch, h], TensorElementType.Float32);
            }
        }
        else
        {
            ctx.Outputs[0].Reshape([_dirs, _batch, h], TensorElementType.Float32);
            _y = RecurrentShapes.Buffer(_y, (long)_seq * state);
        }

        _wT = RecurrentShapes.Buffer(_wT, (long)_input * 3 * h);
        _rT = RecurrentShapes.Buffer(_rT, 3L * h * h);
        _bx = RecurrentShapes.Buffer(_bx, 3L * h);
        _scratch = RecurrentShapes.Buffer(_scratch, Kernels.Recurrent.ScratchLength(_cell, _seq, _batch, h));
    }

    private static void Expect(OpContext ctx, int index, long length, string what)
    {
        var t = ComputeSupport.FloatInput(ctx, index);
        if (t.Length != length)
        {
            throw ctx.Error($"GRU {what} {ComputeSupport.ShapeText(t.ShapeArray)} has {t.Length} values, expected {length}");
        }
    }

    public override void Execute(OpContext ctx)
    {
        int h = _p.NumUnits;
        int gh = 3 * h;
        int state = _batch * h;
        Span<float> y = _p.KeepAllOutputs ? ctx.Outputs[0].Floats : _y;
        Span<float> yh = _p.KeepAllOutputs ? (ctx.Outputs.Length > 1 ? ctx.Outputs[1].Floats : default) : ctx.Outputs[0].Floats;
        for (int d = 0; d < _dirs; d++)
        {
            int b = 1 + (d * PerDirection);
            ReadOnlySpan<float> gate = ctx.Inputs[b].Floats, cand = ctx.Inputs[b + 2].Floats;

            // Rows 0..input of both weights multiply x, rows input..input+H multiply h: split them into W and R,
            // each [rows, z r h] so the kernel's GEMMs see the ONNX gate order.
            for (int row = 0; row < _input + h; row++)
            {
                var dst = row < _input ? _wT.AsSpan(row * gh, gh) : _rT.AsSpan((row - _input) * gh, gh);
                gate.Slice(row * 2 * h, 2 * h).CopyTo(dst);
                cand.Slice(row * h, h).CopyTo(dst[(2 * h)..]);
            }

            ctx.Inputs[b + 1].Floats.CopyTo(_bx);
            ctx.Inputs[b + 3].Floats.CopyTo(_bx.AsSpan(2 * h));
            Kernels.Recurrent.Sequence(
                ctx.Isa, _cell, _seq, _batch, _input, h,
                ctx.Inputs[0].Floats, _wT, _rT, _bx, ctx.Inputs[b + 4].Floats,
                HasInitial(ctx) ? ctx.Inputs[^1].Floats.Slice(d * state, state) : default, default, reverse: d == 1,
                y, d, _dirs, yh.IsEmpty ? default : yh.Slice(d * state, state), default, _scratch, ctx.Threads);
        }
    }
}
