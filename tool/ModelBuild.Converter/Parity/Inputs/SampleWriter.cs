using ModelBuild.Converter.Onnx;

namespace ModelBuild.Converter.Parity.Inputs;

/// <summary>Saves samples as ONNX test_data_set folders (DIR/test_data_set_K/input_J.pb) so a run can be replayed with --inputs.</summary>
public static class SampleWriter
{
    public static void Save(string directory, IReadOnlyList<ParitySample> samples, IReadOnlyList<InputSignature> inputs)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(ErrorCodes.OutputWriteFailed, $"cannot create --save-inputs folder '{directory}': {e.Message}", e);
        }

        for (var k = 0; k < samples.Count; k++)
        {
            var dir = Path.Combine(directory, $"test_data_set_{k}");
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ModelBuildException(ErrorCodes.OutputWriteFailed, $"cannot create '{dir}': {e.Message}", e);
            }

            for (var j = 0; j < inputs.Count; j++)
            {
                if (samples[k].Inputs.TryGetValue(inputs[j].Name, out var data))
                {
                    TensorProtoCodec.WriteFile(data, inputs[j].Name, Path.Combine(dir, $"input_{j}.pb"));
                }
            }
        }
    }
}
