using System.Globalization;
using ModelBuild.Conformance.Tests.Infrastructure;
using ModelBuild.Converter.Conversion;
using ModelBuild.Runtime;

namespace ModelBuild.Conformance.Tests.Upstream;

/// <summary>
/// Judges one output: null when it matches, else the mismatch. <paramref name="Detail"/> describes a match
/// (e.g. the peak-relative error of a whole model) for the report; empty when there is nothing to say.
/// </summary>
public delegate (string? Mismatch, string Detail) OutputJudge(double[] got, double[] expected);

/// <summary>
/// One case against upstream MNN: converts the ONNX model (with our converter, or with upstream's MNNConvert for
/// the survey of what only upstream converts) to WORK/model.mnn, writes each test_data_set_N as a ModuleBasic
/// folder, runs ModuleBasic.out on it and judges every dumped output in C#.
/// </summary>
public static class UpstreamCaseRunner
{
    /// <summary>Our converter's file of the case, run in upstream MNN.</summary>
    public static UpstreamResult Run(UpstreamTools tools, string key, string opType, string onnxPath, IReadOnlyList<string> dataSets, OutputJudge judge, string work, TimeSpan timeout)
    {
        Directory.CreateDirectory(work);
        var conversion = ModelConverter.Convert(onnxPath, new ConversionOptions());
        var modelPath = Path.Combine(work, "model.mnn");
        File.WriteAllBytes(modelPath, conversion.Bytes);
        var model = MnnModel.FromBytes(conversion.Bytes);
        var names = new ModelNames(
            model.Inputs.Select(i => i.Name).ToList(),
            model.Outputs.Select(o => o.Name).ToList(),
            onnx => conversion.TensorNames.TryGetValue(onnx, out var mnn) ? mnn : null);
        return RunFile(tools, key, opType, modelPath, names, dataSets, judge, work, timeout);
    }

    /// <summary>
    /// Upstream MNNConvert's file of the case, run in upstream MNN (MNNConvert sits beside ModuleBasic.out). Its
    /// file keeps the ONNX names, so inputs and outputs are those of the data sets. Null when MNNConvert refuses it.
    /// </summary>
    public static UpstreamResult? RunUpstreamConversion(UpstreamTools tools, string key, string opType, string onnxPath, IReadOnlyList<string> dataSets, OutputJudge judge, string work, TimeSpan timeout)
    {
        Directory.CreateDirectory(work);
        var modelPath = Path.Combine(work, "model.mnn");
        if (!UpstreamConverter.Convert(tools, onnxPath, modelPath, timeout))
        {
            return null;
        }

        var first = dataSets[0];
        var names = new ModelNames(
            TestDataSet.Read(first, "input").Select(x => x.Name).ToList(),
            TestDataSet.Read(first, "output").Select(x => x.Name).ToList(),
            onnx => onnx);
        return RunFile(tools, key, opType, modelPath, names, dataSets, judge, work, timeout);
    }

    /// <summary>A file's input and output names, and the file's name of an ONNX tensor (null when it has none).</summary>
    private sealed record ModelNames(IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, Func<string, string?> FileName);

    private static UpstreamResult RunFile(UpstreamTools tools, string key, string opType, string modelPath, ModelNames names, IReadOnlyList<string> dataSets, OutputJudge judge, string work, TimeSpan timeout)
    {
        var modelOutputs = names.Outputs;
        var details = new List<string>();
        foreach (var set in dataSets)
        {
            var setName = Path.GetFileName(set);
            var inputs = Inputs(set, names.Inputs);
            if (inputs.Select(ModuleBasicFolder.NotExpressible).FirstOrDefault(r => r is not null) is { } reason)
            {
                return new UpstreamResult(key, opType, UpstreamOutcome.NotExpressible, $"{setName}: {reason}");
            }

            var expected = new List<NamedTensor>();
            foreach (var (k, onnxName, data) in TestDataSet.Read(set, "output"))
            {
                var name = names.FileName(onnxName) is { } mnn && modelOutputs.Contains(mnn) ? mnn
                    : k < modelOutputs.Count ? modelOutputs[k] : null;
                if (name is null)
                {
                    return new UpstreamResult(key, opType, UpstreamOutcome.Wrong, $"{setName}: expected output {k} ('{onnxName}') but the file has {modelOutputs.Count} output(s)");
                }

                expected.Add(new NamedTensor(name, data));
            }

            var dir = Path.Combine(work, setName);
            ModuleBasicFolder.Write(dir, inputs, expected);
            var run = ModuleBasicProcess.Run(tools.ModuleBasic, modelPath, dir, expected.Select(e => e.Name).ToList(), timeout);
            if (run.Failure is not null)
            {
                return new UpstreamResult(key, opType, UpstreamOutcome.Failed, $"{setName}: {run.Failure}");
            }

            for (var i = 0; i < expected.Count; i++)
            {
                var (mismatch, detail) = Judge(run.Outputs[i], expected[i], judge);
                if (mismatch is not null)
                {
                    return new UpstreamResult(key, opType, UpstreamOutcome.Wrong, $"{setName}: output '{expected[i].Name}': {mismatch}");
                }

                if (detail.Length > 0)
                {
                    details.Add(expected.Count > 1 ? $"{expected[i].Name}: {detail}" : detail);
                }
            }
        }

        return new UpstreamResult(key, opType, UpstreamOutcome.Passed, string.Join("; ", details));
    }

    /// <summary>Shape first (when ModuleBasic printed one: it does not for empty outputs), then the values.</summary>
    private static (string? Mismatch, string Detail) Judge(DumpedOutput got, NamedTensor expected, OutputJudge judge)
    {
        var shape = expected.Data.Shape;
        if (got.Shape is { } dims && !dims.Select(d => (long)d).SequenceEqual(shape))
        {
            return ($"shape {Compare.Shape(dims.Select(d => (long)d))}, expected {Compare.Shape(shape)}", "");
        }

        var values = TensorBridge.ToDoubles(expected.Data);
        if (got.Values.Length != values.Length)
        {
            return (string.Create(CultureInfo.InvariantCulture, $"{got.Values.Length} elements, expected {values.Length}"), "");
        }

        return judge(got.Values, values);
    }

    /// <summary>The data set's inputs under the converted model's input names (by name, else position), in model order.</summary>
    private static List<NamedTensor> Inputs(string set, IReadOnlyList<string> names)
    {
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var (k, name, data) in TestDataSet.Read(set, "input"))
        {
            var target = names.Contains(name) ? name : k < names.Count ? names[k] : null;
            if (target is not null)
            {
                byName[target] = new NamedTensor(target, data); // an input the file does not take (folded away) is dropped
            }
        }

        var missing = names.Where(n => !byName.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{set} has no data for input(s) {string.Join(", ", missing)} of the converted model");
        }

        return names.Select(n => byName[n]).ToList();
    }
}
