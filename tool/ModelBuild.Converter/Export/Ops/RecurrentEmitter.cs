using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// LSTM → LSTM, RNN → RNN (LSTM parameter, outputCount = hidden size), GRU → RNNSequenceGRU, written as upstream
/// MNNConvert writes them with <c>--useOriginRNNImpl</c> (its ONNX front end's OnnxLSTMMerge / OnnxSequenceGRUMerge):
/// one op per layer that upstream's GeometryLSTM / CPURNNSequenceGRU runs, so the file stays one op instead of a While
/// loop per direction. LSTM/RNN inputs are X, W, R, B = Wb + Rb (summed here, as upstream does), initial h[, c];
/// GRU inputs are X, then per direction the transposed [W|R] gate (z, r) and candidate (h) weights and their biases,
/// then initial h. What upstream's ops cannot express is rewritten around them: <c>layout</c> = 1 by Permutes,
/// <c>direction</c> = reverse by reversing the sequence axis before and after, a missing initial c (or h) by zeros,
/// <c>sequence_lens</c> equal to the sequence length everywhere by dropping it, and a bidirectional GRU's Y_h by
/// slicing Y (upstream's kernel writes a scratch buffer into the backward half of its own Y_h). Non-default
/// activations, clip, input_forget, peepholes and differing sequence lengths → MB3002.
/// </summary>
internal static class RecurrentEmitter
{
    public static void Register(OpEmitterTable t)
    {
        t.Add("LSTM", 7, 22, Lstm);
        t.Add("RNN", 7, 22, Rnn);
        t.Add("GRU", 7, 22, Gru);
    }

    private sealed record Layer(string Name, int Dirs, int Hidden, int Input, bool Reverse, bool BatchFirst);

    private static void Lstm(ExportContext ctx, Node n)
    {
        var layer = Describe(ctx, n, gates: 4, ["Sigmoid", "Tanh", "Tanh"]);
        if (n.GetInt("input_forget", 0) != 0)
        {
            throw ctx.UnsupportedAttribute(n, "input_forget = 1 (MNN's LSTM has no coupled input-forget gate)");
        }

        if (n.HasInput(7) && (ctx.ConstantOf(n, 7) is not { } peepholes || peepholes.ToFloatArray().Any(v => v != 0f)))
        {
            throw ctx.UnsupportedAttribute(n, "peephole weights P (MNN's LSTM has no peepholes)");
        }

        EmitOnnxForm(ctx, n, layer, OpType.LSTM, gates: 4, outputs: 3);
    }

    private static void Rnn(ExportContext ctx, Node n)
    {
        var layer = Describe(ctx, n, gates: 1, ["Tanh"]);
        EmitOnnxForm(ctx, n, layer, OpType.RNN, gates: 1, outputs: 2);
    }

    /// <summary>Common attributes and shapes; MB3002 for what MNN's recurrent ops cannot compute.</summary>
    private static Layer Describe(ExportContext ctx, Node n, int gates, string[] activations)
    {
        var direction = n.GetString("direction", "forward");
        var dirs = direction switch
        {
            "forward" or "reverse" => 1,
            "bidirectional" => 2,
            _ => throw ctx.Invalid(n, $"direction '{direction}' (expected forward, reverse or bidirectional)"),
        };
        if (n.Has("clip"))
        {
            throw ctx.UnsupportedAttribute(n, $"clip = {n.GetFloat("clip", 0f)} (MNN's recurrent ops do not clip the gates)");
        }

        if (n.Attributes.TryGetValue("activations", out var acts) && acts.Strings is { } names)
        {
            var expected = Enumerable.Range(0, dirs).SelectMany(_ => activations).ToArray();
            if (!names.Select(s => s.ToLowerInvariant()).SequenceEqual(expected.Select(s => s.ToLowerInvariant())))
            {
                throw ctx.UnsupportedAttribute(n, $"activations [{string.Join(", ", names)}] (MNN's {n.OpType} computes with [{string.Join(", ", activations)}] only)");
            }
        }

        var layout = n.GetInt("layout", 0);
        if (layout is not (0 or 1))
        {
            throw ctx.Invalid(n, $"layout {layout} (expected 0 or 1)");
        }

        var w = ctx.RequireStaticShape(n, 1, "size the recurrent layer");
        var r = ctx.RequireStaticShape(n, 2, "size the recurrent layer");
        var hidden = n.Has("hidden_size") ? n.GetInt("hidden_size", 0) : r.Length == 3 ? r[2] : 0;
        if (w.Length != 3 || r.Length != 3 || w[0] != dirs || r[0] != dirs || hidden <= 0 || w[1] != gates * hidden
            || r[1] != gates * hidden || r[2] != hidden)
        {
            throw ctx.Invalid(n, $"W [{string.Join(",", w)}] and R [{string.Join(",", r)}] do not fit {dirs} direction(s) of hidden size {hidden} with {gates} gate(s)");
        }

        CheckSequenceLengths(ctx, n, layout == 1);
        var name = n.Name.Length > 0 ? n.Name : n.Out0();
        return new Layer(name, dirs, checked((int)hidden), checked((int)w[2]), direction == "reverse", layout == 1);
    }

    /// <summary>sequence_lens is accepted only when it is constant and every entry is the full sequence length.</summary>
    private static void CheckSequenceLengths(ExportContext ctx, Node n, bool batchFirst)
    {
        if (!n.HasInput(4))
        {
            return;
        }

        var lens = ctx.ConstantOf(n, 4)?.ToLongArray();
        var x = ctx.StaticShapeOf(n.Inputs[0]);
        var seq = x is { Length: 3 } ? x[batchFirst ? 1 : 0] : (long?)null;
        if (lens is null || seq is null || lens.Any(l => l != seq))
        {
            throw ctx.UnsupportedAttribute(n, "sequence_lens other than the full sequence length for every batch entry (MNN's recurrent ops run every sequence to the end); pad the batch or pass --input-shape so the length is known");
        }
    }

    private static void EmitOnnxForm(ExportContext ctx, Node n, Layer layer, OpType type, int gates, int outputs)
    {
        var x = SequenceInput(ctx, n, layer);
        var inputs = new List<int> { x, ctx.In(n, 1), ctx.In(n, 2), SummedBias(ctx, n, layer, gates) };
        var h0 = State(ctx, n, layer, 5);
        var c0 = type == OpType.LSTM ? State(ctx, n, layer, 6) : null;
        if (h0 is not null || c0 is not null)
        {
            // Upstream's GeometryLSTM takes both initial states or neither.
            inputs.Add(h0 ?? Zeros(ctx, layer.Name + "/initial_h", c0!.Value));
            if (type == OpType.LSTM)
            {
                inputs.Add(c0 ?? Zeros(ctx, layer.Name + "/initial_c", h0!.Value));
            }
        }

        var outs = Enumerable.Range(0, outputs).Select(i => OutputTensor(ctx, n, layer, i)).ToArray();
        ctx.AddOp(type, layer.Name, OpParameterUnion.FromLSTM(new LSTMT { OutputCount = layer.Hidden }), [.. inputs], outs);
        for (var i = 0; i < outputs; i++)
        {
            FinishOutput(ctx, n, layer, i, outs[i]);
        }
    }

    private static void Gru(ExportContext ctx, Node n)
    {
        var layer = Describe(ctx, n, gates: 3, ["Sigmoid", "Tanh"]);
        var inputs = new List<int> { SequenceInput(ctx, n, layer) };
        var constant = ctx.ConstantOf(n, 1) is not null && ctx.ConstantOf(n, 2) is not null && (!n.HasInput(3) || ctx.ConstantOf(n, 3) is not null);
        for (var d = 0; d < layer.Dirs; d++)
        {
            var prefix = $"{layer.Name}/{(d == 0 ? "fw" : "bw")}";
            inputs.AddRange(constant ? GruConstantWeights(ctx, n, layer, d, prefix) : GruRunTimeWeights(ctx, n, layer, d, prefix));
        }

        if (State(ctx, n, layer, 5) is { } h0)
        {
            inputs.Add(h0);
        }

        var param = new RNNParamT { NumUnits = layer.Hidden, IsBidirectionalRNN = layer.Dirs == 2, LinearBeforeReset = n.GetInt("linear_before_reset", 0) != 0, KeepAllOutputs = true };
        var y = OutputTensor(ctx, n, layer, 0);
        if (layer.Dirs == 1)
        {
            var yh = OutputTensor(ctx, n, layer, 1);
            ctx.AddOp(OpType.RNNSequenceGRU, layer.Name, OpParameterUnion.FromRNNParam(param), [.. inputs], [y, yh]);
            FinishOutput(ctx, n, layer, 0, y);
            FinishOutput(ctx, n, layer, 1, yh);
            return;
        }

        ctx.AddOp(OpType.RNNSequenceGRU, layer.Name, OpParameterUnion.FromRNNParam(param), [.. inputs], [y]);
        if (Wanted(n, 1))
        {
            // Y_h = [Y[seq-1, forward], Y[0, backward]]: the final state of each direction.
            var name = layer.Name + "/Y_h";
            var fw = ctx.AddTemp(OpType.StridedSlice, name + "_fw", MnnParams.OnnxStridedSlice(), y,
                ctx.ConstInts(name + "_fw_starts", [-1, 0], 2), ctx.ConstInts(name + "_fw_ends", [int.MaxValue, 1], 2), ctx.ConstInts(name + "_fw_axes", [0, 1], 2));
            var bw = ctx.AddTemp(OpType.StridedSlice, name + "_bw", MnnParams.OnnxStridedSlice(), y,
                ctx.ConstInts(name + "_bw_starts", [0, 1], 2), ctx.ConstInts(name + "_bw_ends", [1, 2], 2), ctx.ConstInts(name + "_bw_axes", [0, 1], 2));
            var both = ctx.AddTemp(OpType.Concat, name + "_concat", MnnParams.Axis(1), fw, bw);
            if (layer.BatchFirst)
            {
                FinishOutput(ctx, n, layer, 1, ctx.Squeeze(name + "_squeeze", both, 0));
            }
            else
            {
                ctx.AddOp(OpType.Squeeze, name + "_squeeze", MnnParams.Squeeze([0]), [both], [ctx.Out(n, 1)]);
            }
        }

        FinishOutput(ctx, n, layer, 0, y);
    }

    /// <summary>Direction <paramref name="d"/>'s five GRU inputs from constant W, R, B, rearranged here.</summary>
    private static int[] GruConstantWeights(ExportContext ctx, Node n, Layer layer, int d, string prefix)
    {
        int h = layer.Hidden, input = layer.Input;
        var w = ctx.ConstantOf(n, 1)!.ToFloatArray();
        var r = ctx.ConstantOf(n, 2)!.ToFloatArray();
        var b = n.HasInput(3) ? ctx.ConstantOf(n, 3)!.ToFloatArray() : new float[layer.Dirs * 6 * h];
        if (b.Length != layer.Dirs * 6 * h)
        {
            throw ctx.Invalid(n, $"B has {b.Length} values, expected {layer.Dirs * 6 * h}");
        }

        // Rows of [W | R]ᵀ: input rows first, then hidden rows; columns z, r (gate) and h (candidate).
        var gate = new float[(input + h) * 2 * h];
        var cand = new float[(input + h) * h];
        for (var row = 0; row < input + h; row++)
        {
            for (var col = 0; col < 3 * h; col++)
            {
                var v = row < input ? w[(((d * 3 * h) + col) * input) + row] : r[(((d * 3 * h) + col) * h) + row - input];
                if (col < 2 * h)
                {
                    gate[(row * 2 * h) + col] = v;
                }
                else
                {
                    cand[(row * h) + col - (2 * h)] = v;
                }
            }
        }

        var bias = b.AsSpan(d * 6 * h, 6 * h);
        return
        [
            ctx.ConstFloats(prefix + "_gate_weight", gate, input + h, 2 * h),
            ctx.ConstFloats(prefix + "_gate_bias", bias[..(2 * h)].ToArray(), 1, 2 * h),
            ctx.ConstFloats(prefix + "_candidate_weight", cand, input + h, h),
            ctx.ConstFloats(prefix + "_candidate_bias", bias.Slice(2 * h, h).ToArray(), 1, h),
            ctx.ConstFloats(prefix + "_recurrent_bias", bias.Slice(3 * h, 3 * h).ToArray(), 1, 3 * h),
        ];
    }

    /// <summary>The same five inputs computed in the file from run-time W, R, B (as upstream's VARP rewrite does).</summary>
    private static int[] GruRunTimeWeights(ExportContext ctx, Node n, Layer layer, int d, string prefix)
    {
        int h = layer.Hidden;
        var wr = ctx.AddTemp(OpType.Concat, prefix + "_WR", MnnParams.Axis(2), ctx.In(n, 1), ctx.In(n, 2));
        var dir = ctx.Squeeze(prefix + "_WR_dir", ctx.SliceAxis(prefix + "_WR_slice", wr, 0, d, d + 1), 0);
        var wrT = ctx.AddTemp(OpType.Permute, prefix + "_WR_T", MnnParams.Permute([1, 0]), dir);
        var gate = ctx.SliceAxis(prefix + "_gate_weight", wrT, 1, 0, 2 * h);
        var cand = ctx.SliceAxis(prefix + "_candidate_weight", wrT, 1, 2 * h, 3 * h);
        var b = n.HasInput(3)
            ? ctx.SliceAxis(prefix + "_B", ctx.In(n, 3), 0, d, d + 1)
            : ctx.ConstFloats(prefix + "_B", new float[6 * h], 1, 6 * h);
        return
        [
            gate,
            ctx.SliceAxis(prefix + "_gate_bias", b, 1, 0, 2 * h),
            cand,
            ctx.SliceAxis(prefix + "_candidate_bias", b, 1, 2 * h, 3 * h),
            ctx.SliceAxis(prefix + "_recurrent_bias", b, 1, 3 * h, 6 * h),
        ];
    }

    // ---------------------------------------------------------------- shared pieces

    private static bool Wanted(Node n, int i) => i < n.Outputs.Count && n.Outputs[i].Length > 0;

    /// <summary>X as [seq, batch, input]: transposed from layout 1, reversed along time for direction = reverse.</summary>
    private static int SequenceInput(ExportContext ctx, Node n, Layer layer)
    {
        var x = ctx.In(n, 0);
        if (layer.BatchFirst)
        {
            x = ctx.AddTemp(OpType.Permute, layer.Name + "/X_seq_first", MnnParams.Permute([1, 0, 2]), x);
        }

        return layer.Reverse ? ReverseTime(ctx, layer.Name + "/X_reversed", x) : x;
    }

    /// <summary>
    /// x[::-1] along axis 0 into <paramref name="output"/> or a new temporary: MNN Reverse, as upstream's own
    /// bidirectional layers use it (a StridedSlice with step −1 after upstream's LSTM leaves all but one step zero there).
    /// </summary>
    private static int ReverseTime(ExportContext ctx, string name, int x, int? output = null)
    {
        var y = output ?? ctx.Temp(name);
        ctx.AddOp(OpType.Reverse, name, null, [x, ctx.ConstInts(name + "_axis", [0])], [y]);
        return y;
    }

    /// <summary>B = Wb + Rb as [dirs, G·H]; zeros when absent; run-time B added by ops.</summary>
    private static int SummedBias(ExportContext ctx, Node n, Layer layer, int gates)
    {
        int gh = gates * layer.Hidden;
        var name = layer.Name + "/bias";
        if (!n.HasInput(3))
        {
            return ctx.ConstFloats(name, new float[layer.Dirs * gh], layer.Dirs, gh);
        }

        if (ctx.ConstantOf(n, 3) is { } constant)
        {
            var b = constant.ToFloatArray();
            if (b.Length != layer.Dirs * 2 * gh)
            {
                throw ctx.Invalid(n, $"B has {b.Length} values, expected {layer.Dirs * 2 * gh}");
            }

            var sum = new float[layer.Dirs * gh];
            for (var d = 0; d < layer.Dirs; d++)
            {
                for (var j = 0; j < gh; j++)
                {
                    sum[(d * gh) + j] = b[(d * 2 * gh) + j] + b[(d * 2 * gh) + gh + j];
                }
            }

            return ctx.ConstFloats(name, sum, layer.Dirs, gh);
        }

        var bias = ctx.In(n, 3);
        return ctx.Binary(name, BinaryOpOperation.ADD, ctx.SliceAxis(name + "_w", bias, 1, 0, gh), ctx.SliceAxis(name + "_r", bias, 1, gh, 2 * gh));
    }

    /// <summary>Initial state input <paramref name="i"/> as [dirs, batch, H], or null when absent.</summary>
    private static int? State(ExportContext ctx, Node n, Layer layer, int i)
    {
        if (!n.HasInput(i))
        {
            return null;
        }

        var s = ctx.In(n, i);
        return layer.BatchFirst ? ctx.AddTemp(OpType.Permute, $"{layer.Name}/{n.Inputs[i]}_dir_first", MnnParams.Permute([1, 0, 2]), s) : s;
    }

    /// <summary>Zeros of the shape of <paramref name="like"/> (Fill over its run-time shape).</summary>
    private static int Zeros(ExportContext ctx, string name, int like) =>
        ctx.AddTemp(OpType.Fill, name, null, ctx.Shape(name + "_shape", like), ctx.ConstFloats(name + "_zero", [0f]));

    /// <summary>The tensor the op writes for output <paramref name="i"/>: the ONNX value itself when nothing follows.</summary>
    private static int OutputTensor(ExportContext ctx, Node n, Layer layer, int i)
    {
        var needsRewrite = layer.BatchFirst || (i == 0 && layer.Reverse);
        return Wanted(n, i) && !needsRewrite ? ctx.Out(n, i) : ctx.Temp($"{layer.Name}/out{i}");
    }

    /// <summary>Undoes the rewrites on output <paramref name="i"/> into its ONNX value (nothing when unused or written directly).</summary>
    private static void FinishOutput(ExportContext ctx, Node n, Layer layer, int i, int tensor)
    {
        if (!Wanted(n, i) || (ctx.TryGetTensor(n.Outputs[i], out var existing) && existing == tensor))
        {
            return;
        }

        if (i == 0 && layer.Reverse)
        {
            if (!layer.BatchFirst)
            {
                ReverseTime(ctx, $"{layer.Name}/Y_reversed", tensor, ctx.Out(n, i));
                return;
            }

            tensor = ReverseTime(ctx, $"{layer.Name}/Y_reversed", tensor);
        }

        if (!layer.BatchFirst)
        {
            throw new InvalidOperationException($"output {i} of {layer.Name} was written to a temporary without a rewrite");
        }

        int[] perm = i == 0 ? [2, 0, 1, 3] : [1, 0, 2];
        ctx.AddOp(OpType.Permute, $"{layer.Name}/out{i}_batch_first", MnnParams.Permute(perm), [tensor], [ctx.Out(n, i)]);
    }
}
