using System.Security.Cryptography;
using Google.Protobuf;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Ops;

namespace ModelBuild.Converter.Tests.Infrastructure;

/// <summary>
/// With MODELBUILD_SAVE_CASES=DIR set, every model checked against ONNX Runtime is also saved as an ONNX backend-style
/// case (DIR/{test}_{hash}/model.onnx, test_data_set_0/input_K.pb and ONNX Runtime's output_K.pb), so the same models
/// can be run by other engines — e.g. our converted files in upstream MNN's ModuleBasic. Unset: does nothing.
/// </summary>
public static class CaseExport
{
    public static void Save(ModelProto model, IReadOnlyDictionary<string, TestInput> inputs, IReadOnlyDictionary<string, ReferenceOutput> expected, string test)
    {
        if (Environment.GetEnvironmentVariable("MODELBUILD_SAVE_CASES") is not { Length: > 0 } root)
        {
            return;
        }

        var bytes = model.ToByteArray();
        var hash = Convert.ToHexString(SHA256.HashData([.. bytes, .. inputs.SelectMany(kv => kv.Value.Floats?.SelectMany(BitConverter.GetBytes) ?? kv.Value.Ints!.SelectMany(BitConverter.GetBytes))]))[..8];
        var dir = Path.Combine(root, $"{test}_{hash}");
        var data = Path.Combine(dir, "test_data_set_0");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), bytes);
        var k = 0;
        foreach (var input in model.Graph.Input.Where(i => inputs.ContainsKey(i.Name)))
        {
            var t = inputs[input.Name];
            var proto = t.Floats is { } f ? OnnxModelBuilder.MakeTensor(input.Name, f, t.Shape) : OnnxModelBuilder.MakeTensor(input.Name, t.Ints!, t.Shape);
            proto.DataType = input.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Bool ? (int)TensorProto.Types.DataType.Bool : proto.DataType;
            if (proto.DataType == (int)TensorProto.Types.DataType.Bool)
            {
                proto.Int32Data.AddRange(proto.Int64Data.Select(v => (int)v));
                proto.Int64Data.Clear();
            }

            File.WriteAllBytes(Path.Combine(data, $"input_{k++}.pb"), proto.ToByteArray());
        }

        k = 0;
        foreach (var output in model.Graph.Output)
        {
            var r = expected[output.Name];
            var proto = output.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float
                ? OnnxModelBuilder.MakeTensor(output.Name, r.Values.Select(v => (float)v).ToArray(), r.Shape)
                : OnnxModelBuilder.MakeTensor(output.Name, r.Values.Select(v => (long)v).ToArray(), r.Shape);
            File.WriteAllBytes(Path.Combine(data, $"output_{k++}.pb"), proto.ToByteArray());
        }
    }
}
