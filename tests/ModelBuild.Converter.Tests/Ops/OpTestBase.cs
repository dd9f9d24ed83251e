using System.Runtime.CompilerServices;
using System.Text;
using ModelBuild.Converter.Conversion;
using ModelBuild.Converter.Onnx.Proto;
using ModelBuild.Converter.Tests.Infrastructure;
using ModelBuild.Runtime;
using IrDataType = ModelBuild.Converter.Graph.DataType;
using MbSession = ModelBuild.Runtime.MnnSession;

namespace ModelBuild.Converter.Tests.Ops;

/// <summary>
/// Shared end-to-end check for op tests: save the ONNX model, run it in ONNX Runtime (reference), convert it with
/// <see cref="ModelConverter"/>, run the .mnn bytes in our runtime, and compare every graph output with the
/// conformance rule |got − exp| ≤ 1e-5 + 1e-3·|exp| (NaN matches NaN, shapes must match).
/// </summary>
public abstract class OpTestBase
{
    private static readonly string s_tempRoot = Path.Combine(Path.GetTempPath(), "modelbuild-converter-tests");

    /// <summary>A new empty temp folder for one test.</summary>
    protected static string TempDir()
    {
        var dir = Path.Combine(s_tempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Saves the model to a temp file and returns its path.</summary>
    protected static string SaveModel(ModelProto model)
    {
        var path = Path.Combine(TempDir(), "model.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    }

    /// <summary>Seeded random inputs for every graph input with a static shape (floats in [-1, 1), ints in [0, 4)).</summary>
    protected static Dictionary<string, TestInput> RandomInputs(ModelProto model, int seed = 1234)
    {
        var inputs = new Dictionary<string, TestInput>(StringComparer.Ordinal);
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in model.Graph.Input.Where(i => !initializers.Contains(i.Name)))
        {
            var dims = input.Type.TensorType.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray()
                ?? throw new InvalidOperationException($"input '{input.Name}' has no shape; pass inputs explicitly");
            if (dims.Any(d => d < 0))
            {
                throw new InvalidOperationException($"input '{input.Name}' has a symbolic shape; pass inputs explicitly");
            }

            var type = (IrDataType)input.Type.TensorType.ElemType;
            if (type is IrDataType.Float or IrDataType.Double)
            {
                inputs[input.Name] = new TestInput(dims, Floats: TestTensors.Random(seed++, dims));
            }
            else
            {
                var rng = new Random(seed++);
                var count = TestTensors.Count(dims);
                var max = type == IrDataType.Bool ? 2 : 4;
                inputs[input.Name] = new TestInput(dims, Ints: Enumerable.Range(0, (int)count).Select(_ => (long)rng.Next(max)).ToArray());
            }
        }

        return inputs;
    }

    protected static ConversionResult AssertMatchesOnnxRuntime(ModelProto model, Dictionary<string, (float[] data, long[] shape)> inputs, ConversionOptions? options = null, [CallerMemberName] string test = "") =>
        AssertMatchesOnnxRuntime(model, inputs.ToDictionary(kv => kv.Key, kv => (TestInput)kv.Value, StringComparer.Ordinal), options, test: test);

    /// <summary>
    /// The one-call check: reference vs converted model; returns the conversion for further asserts.
    /// <paramref name="reference"/> (default: the model itself) is what ONNX Runtime runs, for forms ORT lacks
    /// (e.g. batch-first recurrent layers, checked against the equivalent graph with Transposes).
    /// </summary>
    protected static ConversionResult AssertMatchesOnnxRuntime(ModelProto model, Dictionary<string, TestInput>? inputs = null, ConversionOptions? options = null, ModelProto? reference = null, [CallerMemberName] string test = "")
    {
        inputs ??= RandomInputs(model);
        var path = SaveModel(model);
        var expected = OnnxRuntimeReference.Run(reference ?? model, inputs);
        CaseExport.Save(model, inputs, expected, test);
        var result = ModelConverter.Convert(path, options ?? new ConversionOptions());

        var mnn = MnnModel.FromBytes(result.Bytes);
        using var session = new MbSession(mnn);
        var feeds = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, input) in inputs)
        {
            var shape = input.Shape.Select(d => (int)d).ToArray();
            feeds[name] = input.Floats is { } f ? Tensor.FromFloats(f, shape) : Tensor.FromInts(input.Ints!.Select(v => (int)v).ToArray(), shape);
        }

        IReadOnlyDictionary<string, Tensor> actual;
        try
        {
            actual = session.Run(feeds);
        }
        catch (ModelBuildException e)
        {
            Assert.Fail($"our runtime failed: {e.Code} {e.Message}\n{Describe(result)}");
            throw;
        }

        foreach (var (name, exp) in expected)
        {
            var mnnName = result.TensorNames.TryGetValue(name, out var n) ? n : name;
            Assert.IsTrue(actual.TryGetValue(mnnName, out var got), $"output '{name}' (MNN '{mnnName}') missing\n{Describe(result)}");
            CompareTensor(name, exp, got!, result);
        }

        return result;
    }

    private static void CompareTensor(string name, ReferenceOutput exp, Tensor got, ConversionResult result)
    {
        var gotShape = got.Shape.Select(d => (long)d).ToArray();
        Assert.IsTrue(exp.Shape.SequenceEqual(gotShape),
            $"output '{name}': shape [{string.Join(",", gotShape)}], expected [{string.Join(",", exp.Shape)}]\n{Describe(result)}");
        var values = got.ElementType == TensorElementType.Float32
            ? got.Floats.ToArray().Select(v => (double)v).ToArray()
            : got.Ints.ToArray().Select(v => (double)v).ToArray();
        AssertOutputsMatch(name, values, exp.Values, Describe(result));
    }

    /// <summary>The conformance rule, element by element.</summary>
    protected static void AssertOutputsMatch(string name, double[] got, double[] expected, string context = "")
    {
        Assert.HasCount(expected.Length, got, $"output '{name}': element count");
        for (var i = 0; i < got.Length; i++)
        {
            var e = expected[i];
            var g = got[i];
            var ok = (double.IsNaN(e) && double.IsNaN(g)) || (e == g) || Math.Abs(g - e) <= 1e-5 + (1e-3 * Math.Abs(e));
            if (!ok)
            {
                Assert.Fail($"output '{name}' element {i}: got {g}, expected {e}\n{context}");
            }
        }
    }

    /// <summary>The converted op list, for failure messages.</summary>
    protected static string Describe(ConversionResult result)
    {
        var sb = new StringBuilder("converted ops:\n");
        foreach (var op in result.Net.Oplists)
        {
            sb.Append("  ").Append(op.Type).Append(" '").Append(op.Name).Append("' [")
              .Append(string.Join(",", op.InputIndexes.Select(i => result.Net.TensorName[i]))).Append("] -> [")
              .Append(string.Join(",", op.OutputIndexes.Select(i => result.Net.TensorName[i]))).Append("]\n");
        }

        return sb.ToString();
    }
}
