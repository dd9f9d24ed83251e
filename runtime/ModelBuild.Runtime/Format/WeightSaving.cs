namespace ModelBuild.Runtime.Format;

/// <summary>What compressed weight storage saved: bytes of the float32 weights it replaced, and bytes stored instead.</summary>
internal readonly record struct WeightSaving(long FloatBytes, long StoredBytes)
{
    internal WeightSaving Add(long floatBytes, long storedBytes) => new(FloatBytes + floatBytes, StoredBytes + storedBytes);
}
