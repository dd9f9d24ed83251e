using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// If with a condition known only at run time → MNN If (IfParam) over two Net.subgraphs, as upstream's IfOnnx writes
/// it: inputs [cond, enclosing-scope values either branch reads]; aliases_inputs [[], [name inside the branches]...];
/// aliases_outputs [[then output, else output]...]. (An If decided at conversion time never gets here: IfFolding
/// inlines it.) Each branch is written as it is (upstream substitutes the other branch for one without nodes, which
/// is wrong when that branch returns a constant).
/// </summary>
internal static class ControlFlowEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("If", 1, If);

    private static void If(ExportContext ctx, Node n)
    {
        var then = Body(ctx, n, "then_branch");
        var otherwise = Body(ctx, n, "else_branch");
        if (then.Outputs.Count != n.Outputs.Count || otherwise.Outputs.Count != n.Outputs.Count)
        {
            throw ctx.Invalid(n, $"its branches have {then.Outputs.Count} and {otherwise.Outputs.Count} outputs, the node {n.Outputs.Count}");
        }

        var thenBody = SubgraphExport.Add(ctx, n, "then_branch", then);
        var elseBody = SubgraphExport.Add(ctx, n, "else_branch", otherwise);
        var inputs = new List<int> { ctx.In(n, 0) };
        var aliasesIn = new List<StringVecT> { new() { Data = [] } };
        for (var k = 0; k < n.ImplicitInputNames.Count; k++)
        {
            var inside = n.ImplicitInputNames[k];
            if (thenBody.Inputs.Contains(inside) || elseBody.Inputs.Contains(inside))
            {
                inputs.Add(ctx.In(n, n.ExplicitInputCount + k));
                aliasesIn.Add(new StringVecT { Data = [inside] });
            }
        }

        var param = new IfParamT
        {
            ThenGraph = thenBody.Name,
            ElseGraph = elseBody.Name,
            AliasesInputs = aliasesIn,
            AliasesOutputs = [.. Enumerable.Range(0, n.Outputs.Count).Select(i => new StringVecT { Data = [thenBody.Outputs[i], elseBody.Outputs[i]] })],
        };
        var outputs = Enumerable.Range(0, n.Outputs.Count).Select(i => n.Outputs[i].Length > 0 ? ctx.Out(n, i) : ctx.Temp($"{n.Name}/out{i}")).ToArray();
        ctx.AddOp(OpType.If, n.Name, OpParameterUnion.FromIfParam(param), [.. inputs], outputs);
    }

    private static ModelGraph Body(ExportContext ctx, Node n, string attribute)
    {
        return n.Attributes.TryGetValue(attribute, out var a) && a.Graph is { } g ? g : throw ctx.Invalid(n, $"'{attribute}' is missing");
    }
}
