using Microsoft.ML.OnnxRuntime;
using ModelBuild.Converter.Onnx.Proto;
using IrDataType = ModelBuild.Converter.Graph.DataType;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>A reference output from ONNX Runtime, widened to double for comparison.</summary>
public sealed record ReferenceOutput(long[] Shape, double[] Values);

/// <summary>Runs a model in ONNX Runtime (CPU, default options) as the reference.</summary>
public static class OnnxRuntimeReference
{
    public static Dictionary<string, ReferenceOutput> Run(ModelProto model, IReadOnlyDictionary<string, TestInput> inputs)
    {
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(bytes, options);
        var types = model.Graph.Input.ToDictionary(i => i.Name, i => (IrDataType)i.Type.TensorType.ElemType, StringComparer.Ordinal);

        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, input) in inputs)
            {
                names.Add(name);
                values.Add(ToOrt(input, types.TryGetValue(name, out var t) ? t : IrDataType.Float));
            }

            var outputNames = model.Graph.Output.Select(o => o.Name).ToList();
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, outputNames);
            var map = new Dictionary<string, ReferenceOutput>(StringComparer.Ordinal);
            for (var i = 0; i < outputNames.Count; i++)
            {
                map[outputNames[i]] = FromOrt(results[i]);
            }

            return map;
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    private static OrtValue ToOrt(TestInput input, IrDataType type)
    {
        var shape = input.Shape;
        if (input.Floats is { } f)
        {
            return type switch
            {
                IrDataType.Double => OrtValue.CreateTensorValueFromMemory(f.Select(x => (double)x).ToArray(), shape),
                _ => OrtValue.CreateTensorValueFromMemory((float[])f.Clone(), shape),
            };
        }

        var ints = input.Ints ?? throw new ArgumentException("input has no data");
        return type switch
        {
            IrDataType.Int32 => OrtValue.CreateTensorValueFromMemory(ints.Select(x => (int)x).ToArray(), shape),
            IrDataType.Bool => OrtValue.CreateTensorValueFromMemory(ints.Select(x => x != 0).ToArray(), shape),
            IrDataType.UInt8 => OrtValue.CreateTensorValueFromMemory(ints.Select(x => checked((byte)x)).ToArray(), shape),
            IrDataType.Int8 => OrtValue.CreateTensorValueFromMemory(ints.Select(x => checked((sbyte)x)).ToArray(), shape),
            IrDataType.UInt16 => OrtValue.CreateTensorValueFromMemory(ints.Select(x => checked((ushort)x)).ToArray(), shape),
            IrDataType.UInt32 => OrtValue.CreateTensorValueFromMemory(ints.Select(x => checked((uint)x)).ToArray(), shape),
            IrDataType.UInt64 => OrtValue.CreateTensorValueFromMemory(ints.Select(x => checked((ulong)x)).ToArray(), shape),
            IrDataType.Float => OrtValue.CreateTensorValueFromMemory(ints.Select(x => (float)x).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory((long[])ints.Clone(), shape),
        };
    }

    private static ReferenceOutput FromOrt(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        double[] data = info.ElementDataType switch
        {
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32 => value.GetTensorDataAsSpan<int>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => value.GetTensorDataAsSpan<bool>().ToArray().Select(x => x ? 1.0 : 0.0).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt8 => value.GetTensorDataAsSpan<byte>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int8 => value.GetTensorDataAsSpan<sbyte>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt16 => value.GetTensorDataAsSpan<ushort>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int16 => value.GetTensorDataAsSpan<short>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt32 => value.GetTensorDataAsSpan<uint>().ToArray().Select(x => (double)x).ToArray(),
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt64 => value.GetTensorDataAsSpan<ulong>().ToArray().Select(x => (double)x).ToArray(),
            var other => throw new NotSupportedException($"reference output type {other}"),
        };
        return new ReferenceOutput(shape, data);
    }
}
