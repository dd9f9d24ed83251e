using ModelBuild.Runtime.Engine.Operators.Compute;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators.Recurrent;

/// <summary>
/// MNN's ONNX-form LSTM (3 outputs) and RNN (2 outputs), as MNNConvert writes them with <c>--useOriginRNNImpl</c>
/// and as upstream's GeometryLSTM runs them: inputs X [seq, batch, input], W [dirs, G·H, input], R [dirs, G·H, H],
/// B [dirs, G·H] (ONNX's Wb + Rb, already summed), optional initial h and (LSTM) c [dirs, batch, H]; outputs
/// Y [seq, dirs, batch, H], Y_h and (LSTM) Y_c [dirs, batch, H]. Direction 1 runs backwards (bidirectional).
/// Gates in ONNX order (LSTM i, o, f, c) with the default activations; Kernels' Recurrent.Sequence does the math.
/// </summary>
[MnnOperator(OpType.LSTM, OpType.RNN)]
internal sealed class OnnxRecurrentExecutor : OperatorExecutor
{
    private readonly RecurrentCell _cell;
    private readonly int _hidden;
    private int _seq, _batch, _input, _dirs;
    private float[] _wT = [];
    private float[] _rT = [];
    private float[] _scratch = [];

    public OnnxRecurrentExecutor(OpT op)
    {
        _cell = op.Type == OpType.LSTM ? RecurrentCell.Lstm : RecurrentCell.Rnn;
        var p = ComputeSupport.Param<LSTMT>(op);
        _hidden = p.OutputCount;
        if (_hidden <= 0)
        {
            throw new ModelBuildException(ErrorCodes.MnnInvalidGraph, $"op '{op.Name}': hidden size (outputCount) {_hidden} must be positive");
        }
    }

    private int Gates => Kernels.Recurrent.GateCount(_cell);

    public override void Reshape(OpContext ctx)
    {
        int outputs = ctx.Outputs.Length;
        if (_cell == RecurrentCell.Lstm && outputs != 3)
        {
            throw new ModelBuildException(ErrorCodes.UnsupportedMnnOperator,
                $"op '{ctx.OpName}': an LSTM with {outputs} output(s) is the Caffe form (weights in the parameter), which this runtime does not implement; the ONNX form has 3 outputs");
        }

        if (_cell == RecurrentCell.Rnn && outputs != 2)
        {
            throw ctx.Error($"RNN has {outputs} outputs, expected 2 (Y, Y_h)");
        }

        ComputeSupport.RequireInputs(ctx, 3);
        var x = ComputeSupport.RequireRank(ctx, ComputeSupport.FloatInput(ctx, 0), 3, "recurrent input X");
        var w = ComputeSupport.RequireRank(ctx, ComputeSupport.FloatInput(ctx, 1), 3, "recurrent weight W");
        var r = ComputeSupport.RequireRank(ctx, ComputeSupport.FloatInput(ctx, 2), 3, "recurrent weight R");
        (_seq, _batch, _input, _dirs) = (x[0], x[1], x[2], w[0]);
        int gh = Gates * _hidden;
        if (_dirs is not (1 or 2) || w[1] != gh || w[2] != _input || r[0] != _dirs || r[1] != gh || r[2] != _hidden)
        {
            throw ctx.Error($"W {ComputeSupport.ShapeText(w)} / R {ComputeSupport.ShapeText(r)} do not fit X {ComputeSupport.ShapeText(x)} with hidden size {_hidden} ({Gates} gates, 1 or 2 directions)");
        }

        long state = (long)_dirs * _batch * _hidden;
        RecurrentShapes.Check(ctx, 3, (long)_dirs * gh, "B");
        RecurrentShapes.Check(ctx, 4, state, "initial h");
        RecurrentShapes.Check(ctx, 5, state, "initial c");
        ctx.Outputs[0].Reshape([_seq, _dirs, _batch, _hidden], TensorElementType.Float32);
        for (int i = 1; i < ctx.Outputs.Length; i++)
        {
            ctx.Outputs[i].Reshape([_dirs, _batch, _hidden], TensorElementType.Float32);
        }

        _wT = RecurrentShapes.Buffer(_wT, (long)_input * gh);
        _rT = RecurrentShapes.Buffer(_rT, (long)_hidden * gh);
        _scratch = RecurrentShapes.Buffer(_scratch, Kernels.Recurrent.ScratchLength(_cell, _seq, _batch, _hidden));
    }

    public override void Execute(OpContext ctx)
    {
        int gh = Gates * _hidden;
        int state = _batch * _hidden;
        for (int d = 0; d < _dirs; d++)
        {
            RecurrentShapes.Transpose(ctx, ctx.Inputs[1].Floats.Slice(d * gh * _input, gh * _input), gh, _input, _wT);
            RecurrentShapes.Transpose(ctx, ctx.Inputs[2].Floats.Slice(d * gh * _hidden, gh * _hidden), gh, _hidden, _rT);
            Kernels.Recurrent.Sequence(
                ctx.Isa, _cell, _seq, _batch, _input, _hidden,
                ctx.Inputs[0].Floats, _wT, _rT, RecurrentShapes.Part(ctx, 3, d, gh), default,
                RecurrentShapes.Part(ctx, 4, d, state), RecurrentShapes.Part(ctx, 5, d, state), reverse: d == 1,
                ctx.Outputs[0].Floats, d, _dirs,
                ctx.Outputs.Length > 1 ? ctx.Outputs[1].Floats.Slice(d * state, state) : default,
                ctx.Outputs.Length > 2 ? ctx.Outputs[2].Floats.Slice(d * state, state) : default,
                _scratch, ctx.Threads);
        }
    }
}
