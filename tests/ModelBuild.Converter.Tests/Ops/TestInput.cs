namespace ModelBuild.Converter.Tests.Ops;

/// <summary>One test input: float data, or integer data (fed to ONNX Runtime as the graph input's integer type).</summary>
public sealed record TestInput(long[] Shape, float[]? Floats = null, long[]? Ints = null)
{
    public static implicit operator TestInput((float[] Data, long[] Shape) t) => new(t.Shape, Floats: t.Data);

    public static implicit operator TestInput((long[] Data, long[] Shape) t) => new(t.Shape, Ints: t.Data);
}
