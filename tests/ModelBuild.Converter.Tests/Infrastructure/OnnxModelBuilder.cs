using System.Globalization;
using Google.Protobuf;
using ModelBuild.Converter.Graph;
using ModelBuild.Converter.Onnx.Proto;

namespace ModelBuild.Converter.Tests.Infrastructure;

/// <summary>
/// Fluent builder of ONNX <see cref="ModelProto"/> messages for tests, written through our generated protobuf
/// classes. Dims are given as numbers (int/long) or strings (symbolic dim_param); null means an anonymous unknown.
/// </summary>
public sealed class OnnxModelBuilder
{
    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private int _autoName;

    public OnnxModelBuilder(int opset = 13, long irVersion = 8, string graphName = "test")
    {
        _graph = new GraphProto { Name = graphName };
        _model = new ModelProto { IrVersion = irVersion, ProducerName = "ModelBuild.Tests", Graph = _graph };
        if (opset > 0)
        {
            _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        }
    }

    public GraphProto Graph => _graph;

    /// <summary>Adds an opset import for another domain (or replaces the version of an existing one).</summary>
    public OnnxModelBuilder Opset(string domain, long version)
    {
        var existing = _model.OpsetImport.FirstOrDefault(o => o.Domain == domain);
        if (existing is not null)
        {
            existing.Version = version;
        }
        else
        {
            _model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        return this;
    }

    /// <summary>Graph input with unknown shape (rank unknown).</summary>
    public OnnxModelBuilder Input(string name, DataType type)
    {
        _graph.Input.Add(MakeValueInfo(name, type, null));
        return this;
    }

    /// <summary>Graph input; each dim is a number or a string symbol (empty dims = scalar).</summary>
    public OnnxModelBuilder Input(string name, DataType type, params object?[] dims)
    {
        _graph.Input.Add(MakeValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Graph output with unknown shape.</summary>
    public OnnxModelBuilder Output(string name, DataType type = DataType.Float)
    {
        _graph.Output.Add(MakeValueInfo(name, type, null));
        return this;
    }

    public OnnxModelBuilder Output(string name, DataType type, params object?[]? dims)
    {
        _graph.Output.Add(MakeValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Adds a value_info entry (intermediate shape annotation).</summary>
    public OnnxModelBuilder ValueInfo(string name, DataType type, params object?[]? dims)
    {
        _graph.ValueInfo.Add(MakeValueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder Initializer(string name, float[] data, params long[] dims) => Initializer(MakeTensor(name, data, dims));

    public OnnxModelBuilder Initializer(string name, long[] data, params long[] dims) => Initializer(MakeTensor(name, data, dims));

    public OnnxModelBuilder Initializer(string name, int[] data, params long[] dims) => Initializer(MakeTensor(name, data, dims));

    public OnnxModelBuilder Initializer(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Adds a node. Name defaults to "opType_N".</summary>
    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs, string? name = null, Action<AttributeBuilder>? attrs = null, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = name ?? $"{opType}_{_autoName++}", Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        attrs?.Invoke(new AttributeBuilder(node));
        _graph.Node.Add(node);
        return this;
    }

    /// <summary>Escape hatch for tests that need to tweak the message directly.</summary>
    public OnnxModelBuilder Mutate(Action<ModelProto> change)
    {
        change(_model);
        return this;
    }

    public ModelProto Build() => _model.Clone();

    public byte[] ToBytes() => _model.ToByteArray();

    public string Save(string path)
    {
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    // --- tensor helpers (usable without a builder) ---

    public static TensorProto MakeTensor(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(data);
        return t;
    }

    public static TensorProto MakeTensor(string name, long[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(data);
        return t;
    }

    public static TensorProto MakeTensor(string name, int[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int32 };
        t.Dims.AddRange(dims);
        t.Int32Data.AddRange(data);
        return t;
    }

    /// <summary>A tensor with little-endian raw_data bytes of the given type (any dtype).</summary>
    public static TensorProto MakeRawTensor(string name, DataType type, byte[] raw, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>A float tensor stored as raw_data (the form most exporters write).</summary>
    public static TensorProto MakeRawFloatTensor(string name, float[] data, params long[] dims)
    {
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("tests assume a little-endian machine");
        }

        return MakeRawTensor(name, DataType.Float, bytes, dims);
    }

    public static ValueInfoProto MakeValueInfo(string name, DataType type, object?[]? dims)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                switch (d)
                {
                    case null:
                        break;
                    case string s:
                        dim.DimParam = s;
                        break;
                    default:
                        dim.DimValue = Convert.ToInt64(d, CultureInfo.InvariantCulture);
                        break;
                }

                shape.Dim.Add(dim);
            }

            tensorType.Shape = shape;
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}

/// <summary>Adds attributes to one node; each method returns the builder for chaining.</summary>
public sealed class AttributeBuilder
{
    private readonly NodeProto _node;

    public AttributeBuilder(NodeProto node)
    {
        _node = node;
    }

    public AttributeBuilder Int(string name, long value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public AttributeBuilder Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return Add(a);
    }

    public AttributeBuilder Float(string name, float value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    public AttributeBuilder Floats(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return Add(a);
    }

    public AttributeBuilder String(string name, string value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    public AttributeBuilder Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return Add(a);
    }

    public AttributeBuilder Tensor(string name, TensorProto value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value });

    public AttributeBuilder Tensor(string name, float[] data, params long[] dims) => Tensor(name, OnnxModelBuilder.MakeTensor("", data, dims));

    public AttributeBuilder Tensor(string name, long[] data, params long[] dims) => Tensor(name, OnnxModelBuilder.MakeTensor("", data, dims));

    public AttributeBuilder Graph(string name, GraphProto value) =>
        Add(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = value });

    public AttributeBuilder Add(AttributeProto attribute)
    {
        _node.Attribute.Add(attribute);
        return this;
    }
}
