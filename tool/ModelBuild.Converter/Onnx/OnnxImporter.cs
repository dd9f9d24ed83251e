using System.Text;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx.Proto;
using Attribute = ModelBuild.Converter.Graph.Attribute;

namespace ModelBuild.Converter.Onnx;

/// <summary>
/// ONNX ModelProto → <see cref="ModelGraph"/>: initializers and Constant nodes become constant values, attributes
/// are decoded, declared shapes recorded, nodes put in topological order. Passes run separately
/// (<see cref="Graph.Passes.PassPipeline"/>).
/// </summary>
public static class OnnxImporter
{
    /// <summary>Loads, validates and imports an ONNX file.</summary>
    public static ModelGraph Load(string path, OnnxImportOptions? options = null)
    {
        var model = OnnxModelLoader.Load(path);
        var full = Path.GetFullPath(path);
        return Import(model, path, Path.GetDirectoryName(full) ?? ".", options);
    }

    /// <summary>Imports a parsed model; external data is resolved in <paramref name="baseDirectory"/>.</summary>
    public static ModelGraph Import(ModelProto model, string sourcePath, string baseDirectory, OnnxImportOptions? options = null)
    {
        var opset = OnnxModelLoader.GetDefaultOpset(model, sourcePath);
        if (model.Graph is null)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"ONNX model '{sourcePath}' has no graph");
        }

        return ImportGraph(model.Graph, sourcePath, baseDirectory, opset, options, nested: false);
    }

    /// <summary>
    /// One graph: the model's, or (nested) an If/Loop body whose nodes may read values of enclosing scopes; those
    /// are collected in <see cref="ModelGraph.OuterReferences"/> instead of being errors.
    /// </summary>
    private static ModelGraph ImportGraph(GraphProto proto, string sourcePath, string baseDirectory, int opset, OnnxImportOptions? options, bool nested)
    {
        var g = new ModelGraph { Name = proto.Name, SourcePath = sourcePath, Opset = opset };

        foreach (var init in proto.Initializer)
        {
            if (init.Name.Length == 0)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{sourcePath}: an initializer has no name");
            }

            var data = TensorProtoCodec.ToTensorData(init, sourcePath, baseDirectory);
            SetConstant(g.GetOrAddValue(init.Name), data);
        }

        foreach (var input in proto.Input)
        {
            var v = g.GetOrAddValue(input.Name);
            if (v.IsConstant)
            {
                continue; // an input with an initializer is a constant (default value) for inference
            }

            if (g.Inputs.Contains(input.Name))
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{sourcePath}: graph input '{input.Name}' is declared twice");
            }

            ApplyValueInfo(v, input);
            g.Inputs.Add(input.Name);
        }

        if (!nested)
        {
            ApplyInputShapes(g, options, sourcePath);
        }

        foreach (var info in proto.ValueInfo)
        {
            var v = g.GetOrAddValue(info.Name);
            if (!v.IsConstant && !g.Inputs.Contains(info.Name))
            {
                ApplyValueInfo(v, info);
            }
        }

        foreach (var output in proto.Output)
        {
            var v = g.GetOrAddValue(output.Name);
            if (!v.IsConstant && !g.Inputs.Contains(output.Name))
            {
                ApplyValueInfo(v, output);
            }

            g.Outputs.Add(output.Name);
        }

        var nodes = new List<Node>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var np in proto.Node)
        {
            var node = ImportNode(np, index++, usedNames, sourcePath, baseDirectory, opset);
            if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx")
            {
                ImportConstantNode(g, node);
                continue;
            }

            nodes.Add(node);
        }

        foreach (var n in TopologicalOrder(g, nodes, nested))
        {
            g.Nodes.Add(n);
            foreach (var o in n.Outputs.Where(o => o.Length > 0))
            {
                g.GetOrAddValue(o);
            }

            WarnMissingEpsilon(g, n);
            WindowAttributes.Validate(g, n);
        }

        foreach (var o in g.Outputs)
        {
            if (!g.Values[o].IsConstant && !g.Inputs.Contains(o) && !g.Nodes.Any(n => n.Outputs.Contains(o)))
            {
                if (nested)
                {
                    // A body may return an outer value as it is.
                    if (!g.OuterReferences.Contains(o))
                    {
                        g.OuterReferences.Add(o);
                    }

                    continue;
                }

                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{sourcePath}: graph output '{o}' is never produced");
            }
        }

        return g;
    }

    internal static void SetConstant(Value v, TensorData data)
    {
        v.Constant = data;
        v.Type = data.Type;
        v.Shape = data.Shape.Select(Dim.Known).ToArray();
    }

    /// <summary>Records the declared element type and shape.</summary>
    internal static void ApplyValueInfo(Value v, ValueInfoProto info)
    {
        if (info.Type?.TensorType is not { } tt)
        {
            return;
        }

        if (tt.ElemType != 0)
        {
            v.Type = (DataType)tt.ElemType;
        }

        if (tt.Shape is not null)
        {
            v.Shape = tt.Shape.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue when d.DimValue >= 0 => Dim.Known(d.DimValue),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam when d.DimParam.Length > 0 => Dim.Unknown(d.DimParam),
                _ => Dim.Unknown(),
            }).ToArray();
        }
    }

    private static void ApplyInputShapes(ModelGraph g, OnnxImportOptions? options, string sourcePath)
    {
        if (options?.InputShapes is { Count: > 0 } shapes)
        {
            ApplyInputShapes(g, (IEnumerable<KeyValuePair<string, long[]>>)shapes, sourcePath);
        }
    }

    /// <summary>
    /// Fixes the shapes of graph inputs on an imported graph (before any pass), as <see cref="OnnxImportOptions.InputShapes"/>
    /// would have at import; MB1010-style errors for unknown inputs, rank or fixed-dimension conflicts.
    /// </summary>
    internal static void ApplyInputShapes(ModelGraph g, IEnumerable<KeyValuePair<string, long[]>> shapes, string sourcePath)
    {
        foreach (var (name, dims) in shapes)
        {
            if (!g.Inputs.Contains(name))
            {
                throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption, $"{sourcePath}: input shape given for '{name}', but the model's inputs are: {string.Join(", ", g.Inputs)}");
            }

            if (dims.Any(d => d < 1 || d > OnnxImportOptions.MaxDimension))
            {
                throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption,
                    $"{sourcePath}: input shape [{string.Join("x", dims)}] for '{name}' has a dimension outside 1..{OnnxImportOptions.MaxDimension}");
            }

            var v = g.Values[name];
            if (v.Shape is not null)
            {
                if (v.Shape.Length != dims.Length)
                {
                    throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption, $"{sourcePath}: input '{name}' has rank {v.Shape.Length} [{string.Join(",", v.Shape)}] but the given shape [{string.Join("x", dims)}] has rank {dims.Length}");
                }

                for (var i = 0; i < dims.Length; i++)
                {
                    if (v.Shape[i].IsKnown && v.Shape[i].Value != dims[i])
                    {
                        throw new ModelBuildException(ErrorCodes.InvalidInputShapeOption, $"{sourcePath}: input '{name}' has fixed dimension {i} = {v.Shape[i].Value}, but the given shape says {dims[i]}");
                    }
                }
            }

            v.Shape = dims.Select(Dim.Known).ToArray();
        }
    }

    private static Node ImportNode(NodeProto np, int index, HashSet<string> usedNames, string sourcePath, string baseDirectory, int opset)
    {
        var name = np.Name.Length > 0 ? np.Name : $"{np.OpType}_{index}";
        if (!usedNames.Add(name))
        {
            // Exporters occasionally repeat names; MNN op names must be unique.
            var k = 1;
            while (!usedNames.Add($"{name}_{k}"))
            {
                k++;
            }

            name = $"{name}_{k}";
        }

        var node = new Node
        {
            Name = name,
            OpType = np.OpType,
            Domain = np.Domain,
            Inputs = [.. np.Input],
            Outputs = [.. np.Output],
        };
        var context = $"{sourcePath}: node '{name}' ({np.OpType})";
        foreach (var a in np.Attribute)
        {
            if (a.Name.Length == 0)
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidAttribute, $"{context} has an attribute without a name");
            }

            node.Attributes[a.Name] = ImportAttribute(a, context, sourcePath, baseDirectory, opset);
        }

        // Values the bodies read from this scope become trailing inputs of the node (see Node.ImplicitInputNames).
        foreach (var outer in node.Attributes.Values.Where(a => a.Graph is not null).SelectMany(a => a.Graph!.OuterReferences))
        {
            if (!node.ImplicitInputNames.Contains(outer))
            {
                node.ImplicitInputNames.Add(outer);
            }
        }

        node.Inputs.AddRange(node.ImplicitInputNames);
        return node;
    }

    private static Attribute ImportAttribute(AttributeProto a, string context, string sourcePath, string baseDirectory, int opset)
    {
        var type = a.Type;
        if (type == AttributeProto.Types.AttributeType.Undefined)
        {
            type = InferAttributeType(a);
        }

        switch (type)
        {
            case AttributeProto.Types.AttributeType.Float:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Float, Float = a.F };
            case AttributeProto.Types.AttributeType.Int:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Int, Int = a.I };
            case AttributeProto.Types.AttributeType.String:
                return new Attribute { Name = a.Name, Kind = AttributeKind.String, String = Encoding.UTF8.GetString(a.S.Span) };
            case AttributeProto.Types.AttributeType.Floats:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Floats, Floats = [.. a.Floats] };
            case AttributeProto.Types.AttributeType.Ints:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Ints, Ints = [.. a.Ints] };
            case AttributeProto.Types.AttributeType.Strings:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Strings, Strings = a.Strings.Select(s => Encoding.UTF8.GetString(s.Span)).ToArray() };
            case AttributeProto.Types.AttributeType.Tensor:
                if (a.T is null)
                {
                    throw new ModelBuildException(ErrorCodes.OnnxInvalidAttribute, $"{context}: tensor attribute '{a.Name}' has no tensor");
                }

                try
                {
                    return new Attribute { Name = a.Name, Kind = AttributeKind.Tensor, Tensor = TensorProtoCodec.ToTensorData(a.T, context, baseDirectory) };
                }
                catch (ModelBuildException e) when (e.Code == ErrorCodes.UnsupportedDataType)
                {
                    // Kept as "Other": only an op that actually needs it (e.g. Constant) turns this into an error.
                    return new Attribute { Name = a.Name, Kind = AttributeKind.Other };
                }

            case AttributeProto.Types.AttributeType.Graph:
                if (a.G is null)
                {
                    throw new ModelBuildException(ErrorCodes.OnnxInvalidAttribute, $"{context}: graph attribute '{a.Name}' has no graph");
                }

                return new Attribute { Name = a.Name, Kind = AttributeKind.Graph, HasGraph = true, Graph = ImportGraph(a.G, sourcePath, baseDirectory, opset, null, nested: true) };
            case AttributeProto.Types.AttributeType.Graphs:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Other, HasGraph = true };
            default:
                return new Attribute { Name = a.Name, Kind = AttributeKind.Other };
        }
    }

    /// <summary>Very old exporters leave 'type' unset; infer it from the field that carries data.</summary>
    private static AttributeProto.Types.AttributeType InferAttributeType(AttributeProto a) =>
        a.Floats.Count > 0 ? AttributeProto.Types.AttributeType.Floats
        : a.Ints.Count > 0 ? AttributeProto.Types.AttributeType.Ints
        : a.Strings.Count > 0 ? AttributeProto.Types.AttributeType.Strings
        : a.T is not null ? AttributeProto.Types.AttributeType.Tensor
        : a.G is not null ? AttributeProto.Types.AttributeType.Graph
        : a.Graphs.Count > 0 ? AttributeProto.Types.AttributeType.Graphs
        : !a.S.IsEmpty ? AttributeProto.Types.AttributeType.String
        : a.F != 0 ? AttributeProto.Types.AttributeType.Float
        : AttributeProto.Types.AttributeType.Int;

    private static void ImportConstantNode(ModelGraph g, Node node)
    {
        if (node.Outputs.Count != 1 || node.Outputs[0].Length == 0)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(node)} must have exactly one output");
        }

        TensorData? data = null;
        foreach (var a in node.Attributes.Values)
        {
            data = a.Name switch
            {
                "value" => a.Tensor ?? throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"{g.Describe(node)}: its 'value' tensor has an element type MNN cannot store"),
                "value_float" => TensorData.Scalar(a.Float),
                "value_floats" => TensorData.Vector(a.Floats ?? []),
                "value_int" => TensorData.Scalar(a.Int),
                "value_ints" => TensorData.Vector(a.Ints ?? []),
                "value_string" or "value_strings" => throw new ModelBuildException(ErrorCodes.UnsupportedDataType, $"{g.Describe(node)} holds strings, which MNN cannot store"),
                "sparse_value" => throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"{g.Describe(node)} holds a sparse tensor, which is not supported"),
                _ => data,
            };
        }

        if (data is null)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidAttribute, $"{g.Describe(node)} has no value attribute");
        }

        var v = g.GetOrAddValue(node.Outputs[0]);
        if (v.IsConstant || g.Inputs.Contains(v.Name))
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(node)}: value '{v.Name}' is defined more than once");
        }

        SetConstant(v, data);
    }

    /// <summary>Kahn's algorithm keeping model order among ready nodes; MB1008 for cycles, undefined or re-defined values.</summary>
    private static List<Node> TopologicalOrder(ModelGraph g, List<Node> nodes, bool nested)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var o in nodes[i].Outputs.Where(o => o.Length > 0))
            {
                if (producer.ContainsKey(o) || g.Inputs.Contains(o) || (g.Values.TryGetValue(o, out var cv) && cv.IsConstant))
                {
                    throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(nodes[i])}: value '{o}' is defined more than once");
                }

                producer[o] = i;
            }
        }

        var pending = new int[nodes.Count];
        var consumers = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            consumers[i] = [];
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var input in nodes[i].Inputs.Where(s => s.Length > 0).Distinct())
            {
                if (producer.TryGetValue(input, out var p))
                {
                    pending[i]++;
                    consumers[p].Add(i);
                }
                else if (!g.Inputs.Contains(input) && !(g.Values.TryGetValue(input, out var v) && v.IsConstant))
                {
                    if (nested)
                    {
                        if (!g.OuterReferences.Contains(input))
                        {
                            g.OuterReferences.Add(input);
                        }

                        continue;
                    }

                    throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(nodes[i])} uses value '{input}', which no node, input or initializer produces");
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (pending[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<Node>(nodes.Count);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(nodes[i]);
            foreach (var c in consumers[i])
            {
                if (--pending[c] == 0)
                {
                    ready.Enqueue(c, c);
                }
            }
        }

        if (order.Count != nodes.Count)
        {
            var stuck = nodes.Where((_, i) => pending[i] > 0).Take(3).Select(n => $"'{n.Name}'");
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.SourcePath}: the graph has a cycle (involving {string.Join(", ", stuck)})");
        }

        return order;
    }

    private static void WarnMissingEpsilon(ModelGraph g, Node n)
    {
        if (n.OpType is "InstanceNormalization" or "BatchNormalization" or "LayerNormalization" && n.Domain is "" or "ai.onnx" && !n.Has("epsilon"))
        {
            g.Warnings.Add(new ConversionWarning(
                ErrorCodes.OnnxDefaultAttributeUsed,
                $"{g.Describe(n)} has no 'epsilon' attribute; using the ONNX default 1e-5 (note: upstream MNNConvert silently uses 1e-10 here)"));
        }
    }
}
