namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Folds BatchNormalization into the preceding Conv / ConvTranspose / Gemm when the BN is the sole consumer
/// of that output and every parameter is constant: W' = W·s, b' = (b − mean)·s + B with
/// s = scale / sqrt(var + eps), computed in double and stored as float. New weight values get fresh names
/// so shared initializers are never modified.
/// </summary>
public static class BatchNormFolding
{
    public static void Run(ModelGraph graph)
    {
        foreach (var bn in graph.Nodes.ToList())
        {
            if (bn.OpType != "BatchNormalization" || bn.Domain is not ("" or "ai.onnx") || !bn.HasInput(0)
                || bn.Outputs.Skip(1).Any(o => o.Length > 0 && GraphEdits.UseCount(graph, o) > 0)
                || TrainingMode.Requested(graph, bn))
            {
                continue;
            }

            var x = bn.Inputs[0];
            var producer = GraphEdits.Producer(graph, x);
            if (producer is null || producer.Outputs.Count != 1 || graph.Outputs.Contains(x) || GraphEdits.UseCount(graph, x) != 1)
            {
                continue;
            }

            var p = Enumerable.Range(1, 4).Select(i => graph.ConstantInput(bn, i)).ToArray();
            if (p.Any(t => t is null))
            {
                continue;
            }

            var channels = p[0]!.ElementCount;
            if (p.Any(t => t!.ElementCount != channels))
            {
                continue;
            }

            var eps = (double)bn.GetFloat("epsilon", 1e-5f);
            var s = new double[channels];
            var shift = new double[channels];
            for (var c = 0; c < channels; c++)
            {
                s[c] = p[0]!.GetDouble(c) / Math.Sqrt(p[3]!.GetDouble(c) + eps);
                shift[c] = p[1]!.GetDouble(c) - (p[2]!.GetDouble(c) * s[c]);
            }

            var folded = producer.OpType switch
            {
                "Conv" or "ConvTranspose" when producer.Domain is "" or "ai.onnx" => FoldConv(graph, producer, s, shift),
                "Gemm" when producer.Domain is "" or "ai.onnx" => FoldGemm(graph, producer, s, shift),
                _ => false,
            };
            if (!folded)
            {
                continue;
            }

            graph.Nodes.Remove(bn);
            GraphEdits.RenameOutput(graph, producer, x, bn.Outputs[0]);
        }
    }

    private static bool FoldConv(ModelGraph g, Node conv, double[] s, double[] shift)
    {
        var w = g.ConstantInput(conv, 1);
        var b = conv.HasInput(2) ? g.ConstantInput(conv, 2) : null;
        if (w is not { IsFloat: true } || w.Shape.Length < 3 || (conv.HasInput(2) && b is null))
        {
            return false;
        }

        var transpose = conv.OpType == "ConvTranspose";
        var group = conv.GetInt("group", 1);
        var outChannels = transpose ? w.Shape[1] * group : w.Shape[0];
        if (outChannels != s.Length || (b is not null && b.ElementCount != s.Length) || group <= 0 || w.Shape[0] % group != 0)
        {
            return false;
        }

        var kernel = w.Shape[2..].Aggregate(1L, (a, d) => a * d);
        var weights = new float[w.ElementCount];
        for (long i = 0; i < weights.LongLength; i++)
        {
            long oc;
            if (transpose)
            {
                // W is [C_in, C_out/group, k...]; output channel = group index * (C_out/group) + j.
                var j = (i / kernel) % w.Shape[1];
                var ci = i / (kernel * w.Shape[1]);
                oc = (ci / (w.Shape[0] / group) * w.Shape[1]) + j;
            }
            else
            {
                oc = i / (w.ElementCount / w.Shape[0]);
            }

            weights[i] = (float)(w.Floats![i] * s[oc]);
        }

        var bias = new float[s.Length];
        for (var c = 0; c < s.Length; c++)
        {
            bias[c] = (float)(((b?.GetDouble(c) ?? 0.0) * s[c]) + shift[c]);
        }

        conv.Inputs[1] = GraphEdits.AddConstant(g, $"{conv.Name}_W_bnfold", new TensorData(w.Type, w.Shape, weights)).Name;
        var biasName = GraphEdits.AddConstant(g, $"{conv.Name}_B_bnfold", new TensorData(DataType.Float, [s.Length], bias)).Name;
        if (conv.Inputs.Count > 2)
        {
            conv.Inputs[2] = biasName;
        }
        else
        {
            conv.Inputs.Add(biasName);
        }

        return true;
    }

    private static bool FoldGemm(ModelGraph g, Node gemm, double[] s, double[] shift)
    {
        var w = g.ConstantInput(gemm, 1);
        var c = gemm.HasInput(2) ? g.ConstantInput(gemm, 2) : null;
        if (w is not { IsFloat: true } || w.Shape.Length != 2 || (gemm.HasInput(2) && c is null))
        {
            return false;
        }

        var transB = gemm.GetInt("transB", 0) != 0;
        var n = transB ? w.Shape[0] : w.Shape[1];
        if (n != s.Length)
        {
            return false;
        }

        // C must be a scalar or a row vector so the fold stays per-column.
        if (c is not null && !(c.ElementCount == 1 || (c.ElementCount == n && c.Shape[^1] == n && c.Shape.Length <= 2)))
        {
            return false;
        }

        var beta = (double)gemm.GetFloat("beta", 1f);
        var weights = new float[w.ElementCount];
        for (long i = 0; i < weights.LongLength; i++)
        {
            var col = transB ? i / w.Shape[1] : i % w.Shape[1];
            weights[i] = (float)(w.Floats![i] * s[col]);
        }

        var bias = new float[n];
        for (var k = 0; k < n; k++)
        {
            var ck = c is null ? 0.0 : c.GetDouble(c.ElementCount == 1 ? 0 : k);
            bias[k] = (float)((beta * ck * s[k]) + shift[k]);
        }

        gemm.Inputs[1] = GraphEdits.AddConstant(g, $"{gemm.Name}_B_bnfold", new TensorData(w.Type, w.Shape, weights)).Name;
        var biasName = GraphEdits.AddConstant(g, $"{gemm.Name}_C_bnfold", new TensorData(DataType.Float, [n], bias)).Name;
        if (gemm.Inputs.Count > 2)
        {
            gemm.Inputs[2] = biasName;
        }
        else
        {
            gemm.Inputs.Add(biasName);
        }

        gemm.Attributes["beta"] = new Attribute { Name = "beta", Kind = AttributeKind.Float, Float = 1f };
        return true;
    }
}
