using Google.Protobuf;
using ModelBuild.Converter.Onnx.Proto;

namespace ModelBuild.Tool.Tests.Infrastructure;

/// <summary>Builds small ONNX models for CLI tests through our generated protobuf classes.</summary>
public sealed class TinyOnnx
{
    private readonly ModelProto _model;

    public TinyOnnx(int opset = 13)
    {
        _model = new ModelProto { IrVersion = 8, ProducerName = "ModelBuild.Tool.Tests", Graph = new GraphProto { Name = "tiny" } };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public GraphProto Graph => _model.Graph;

    /// <summary>Float input or output; dims are numbers or strings (symbolic).</summary>
    public TinyOnnx Input(string name, params object[] dims)
    {
        Graph.Input.Add(Value(name, dims));
        return this;
    }

    public TinyOnnx Output(string name, params object[] dims)
    {
        Graph.Output.Add(Value(name, dims));
        return this;
    }

    /// <summary>Input or output of another element type (e.g. int64).</summary>
    public TinyOnnx TypedInput(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Graph.Input.Add(Value(name, dims, type));
        return this;
    }

    public TinyOnnx TypedOutput(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Graph.Output.Add(Value(name, dims, type));
        return this;
    }

    public TinyOnnx Node(string opType, string[] inputs, string[] outputs, string domain = "", params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = opType, Name = $"{opType}_{Graph.Node.Count}", Domain = domain };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        Graph.Node.Add(n);
        return this;
    }

    public TinyOnnx Opset(string domain, long version)
    {
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return this;
    }

    public TinyOnnx FloatInitializer(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        Graph.Initializer.Add(t);
        return this;
    }

    public string Save(string path)
    {
        File.WriteAllBytes(path, _model.ToByteArray());
        return path;
    }

    /// <summary>A float tensor file (TensorProto) for run inputs.</summary>
    public static void WriteTensor(string path, string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        File.WriteAllBytes(path, t.ToByteArray());
    }

    private static ValueInfoProto Value(string name, object[] dims, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string s
                ? new TensorShapeProto.Types.Dimension { DimParam = s }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
