namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Replaces an If whose condition is known at conversion time (a constant, often only after shape inference has
/// folded a shape comparison) by the nodes of the branch it takes. Branch-local values and nodes are renamed
/// <c>{if node}/{name}</c> so they cannot collide with the enclosing graph; values the branch reads from outside are
/// mapped to their current names through the node's implicit inputs; each branch output becomes the If's output
/// (its producer writes it directly, or an Identity copies an outer value / constant).
/// </summary>
public static class IfFolding
{
    /// <summary>Folds every such If (nested ones too, as the passes re-run); true when anything changed.</summary>
    public static bool Run(ModelGraph graph)
    {
        var changed = false;
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            if (node.OpType != "If" || node.Domain is not ("" or "ai.onnx") || graph.ConstantInput(node, 0) is not { } cond)
            {
                continue;
            }

            if (cond.ElementCount != 1)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(node)}: the condition has {cond.ElementCount} elements, expected 1");
            }

            var attr = cond.GetDouble(0) != 0 ? "then_branch" : "else_branch";
            var branch = node.Attributes.TryGetValue(attr, out var a) && a.Graph is { } g
                ? g
                : throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{graph.Describe(node)} has no '{attr}' graph");
            var inlined = Inline(graph, node, branch);
            graph.Nodes.RemoveAt(i);
            graph.Nodes.InsertRange(i, inlined);
            i += inlined.Count - 1;
            changed = true;
        }

        return changed;
    }

    private static List<Node> Inline(ModelGraph graph, Node node, ModelGraph branch)
    {
        if (branch.Outputs.Count != node.Outputs.Count)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph,
                $"{graph.Describe(node)}: its branch has {branch.Outputs.Count} outputs, the node {node.Outputs.Count}");
        }

        var prefix = node.Name + "/";
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < node.ImplicitInputNames.Count; k++)
        {
            names[node.ImplicitInputNames[k]] = node.Inputs[node.ExplicitInputCount + k];
        }

        // Branch outputs produced inside the branch are written under the If's output names directly.
        var producedInside = branch.Nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var direct = new HashSet<int>();
        for (var k = 0; k < branch.Outputs.Count; k++)
        {
            var o = branch.Outputs[k];
            if (node.Outputs[k].Length > 0 && producedInside.Contains(o) && !names.ContainsKey(o) && branch.Outputs.IndexOf(o) == k)
            {
                names[o] = node.Outputs[k];
                direct.Add(k);
            }
        }

        string Local(string name)
        {
            if (name.Length == 0 || names.TryGetValue(name, out var mapped))
            {
                return name.Length == 0 ? name : names[name];
            }

            var fresh = GraphEdits.FreshName(graph, prefix + name);
            names[name] = fresh;
            var source = branch.Values.TryGetValue(name, out var v) ? v : null;
            var target = graph.GetOrAddValue(fresh);
            if (source?.Constant is { } data)
            {
                Onnx.OnnxImporter.SetConstant(target, data);
            }
            else if (source is not null)
            {
                target.Type = source.Type;
                target.Shape = source.Shape;
            }

            return fresh;
        }

        var result = new List<Node>();
        foreach (var n in branch.Nodes)
        {
            var copy = new Node
            {
                Name = prefix + n.Name,
                OpType = n.OpType,
                Domain = n.Domain,
                Inputs = [.. n.Inputs.Select(Local)],
                Outputs = [.. n.Outputs.Select(Local)],
                Attributes = new(n.Attributes, StringComparer.Ordinal),
            };
            copy.ImplicitInputNames.AddRange(n.ImplicitInputNames);
            result.Add(copy);
        }

        for (var k = 0; k < branch.Outputs.Count; k++)
        {
            if (direct.Contains(k) || node.Outputs[k].Length == 0)
            {
                continue;
            }

            // An outer value, a branch input or constant, or an output listed twice: copy it.
            result.Add(new Node
            {
                Name = $"{prefix}output_{k}",
                OpType = "Identity",
                Inputs = [Local(branch.Outputs[k])],
                Outputs = [node.Outputs[k]],
            });
        }

        return result;
    }
}
