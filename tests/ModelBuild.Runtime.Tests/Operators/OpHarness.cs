using ModelBuild.Runtime.Engine.Operators;
using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// Drives one executor (created through the engine's OperatorRegistry, so registration is tested too) through
/// OpContext at every ISA level the machine has, asserts the outputs are bit-identical across levels and thread
/// counts, and returns the scalar-level result for comparison with a naive double-precision reference.
/// </summary>
internal static class OpHarness
{
    public static OpT Op(OpType type, object? param, OpParameter paramType = OpParameter.NONE, string name = "op_under_test") => new()
    {
        Name = name,
        Type = type,
        Main = param is null ? null : new OpParameterUnion { Type = paramType == OpParameter.NONE ? Guess(param) : paramType, Value = param },
        InputIndexes = [],
        OutputIndexes = [],
    };

    private static OpParameter Guess(object param)
    {
        string name = param.GetType().Name;
        name = name.EndsWith('T') ? name[..^1] : name;
        return Enum.Parse<OpParameter>(name);
    }

    public static Tensor[] RunOnce(OpT op, IsaLevel isa, int threads, Tensor[] inputs, int outputs = 1)
    {
        var exe = OperatorRegistry.Create(op, "operator-test");
        var outs = Enumerable.Range(0, outputs).Select(_ => new Tensor(TensorElementType.Float32, [0])).ToArray();
        var ctx = new OpContext(op.Name, inputs, outs) { Isa = isa, Threads = threads };
        exe.Reshape(ctx);
        exe.Execute(ctx);
        // Run twice on the same executor: cached state from the first run must not change the result.
        exe.Reshape(ctx);
        exe.Execute(ctx);
        return outs.Select(o => o.Clone()).ToArray();
    }

    /// <summary>Runs at every available level (1 thread) and at the best level with 3 threads; all must agree bit for bit.</summary>
    public static Tensor Run(OpT op, params Tensor[] inputs) => RunMany(op, 1, inputs)[0];

    public static Tensor[] RunMany(OpT op, int outputs, params Tensor[] inputs)
    {
        Tensor[]? first = null;
        var runs = KernelIsa.Available.Select(l => (l, 1)).Append((KernelIsa.Best, 3));
        foreach (var (level, threads) in runs)
        {
            var r = RunOnce(op, level, threads, inputs, outputs);
            if (first is null)
            {
                first = r;
                continue;
            }

            for (int i = 0; i < r.Length; i++)
            {
                AssertBitIdentical(first[i], r[i], $"{op.Type} output {i} at {level} x{threads} vs scalar");
            }
        }

        return first!;
    }

    public static void AssertBitIdentical(Tensor expected, Tensor actual, string what)
    {
        CollectionAssert.AreEqual(expected.Shape.ToArray(), actual.Shape.ToArray(), $"{what}: shape");
        Assert.AreEqual(expected.ElementType, actual.ElementType, $"{what}: type");
        if (expected.ElementType == TensorElementType.Int32)
        {
            CollectionAssert.AreEqual(expected.Ints.ToArray(), actual.Ints.ToArray(), what);
            return;
        }

        var e = expected.Floats;
        var a = actual.Floats;
        for (int i = 0; i < e.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]) && !(float.IsNaN(e[i]) && float.IsNaN(a[i])))
            {
                Assert.Fail($"{what}: element {i}: {e[i]:R} vs {a[i]:R}");
            }
        }
    }

    /// <summary>|got − exp| ≤ abs + rel·|exp| element-wise (NaN matches NaN), and the shape.</summary>
    public static void AssertClose(Tensor got, int[] shape, double[] expected, double abs = 1e-5, double rel = 1e-4, string what = "")
    {
        CollectionAssert.AreEqual(shape, got.Shape.ToArray(), $"{what} shape");
        Assert.AreEqual(TensorElementType.Float32, got.ElementType, $"{what} type");
        var g = got.Floats;
        Assert.AreEqual(expected.Length, g.Length, $"{what} length");
        for (int i = 0; i < g.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.IsTrue(float.IsNaN(g[i]), $"{what} element {i}: expected NaN, got {g[i]}");
                continue;
            }

            if (double.IsInfinity(expected[i]))
            {
                Assert.AreEqual(expected[i], (double)g[i], $"{what} element {i}");
                continue;
            }

            double tol = abs + rel * Math.Abs(expected[i]);
            if (!(Math.Abs(g[i] - expected[i]) <= tol))
            {
                Assert.Fail($"{what} element {i}: got {g[i]:R}, expected {expected[i]:R} (tolerance {tol:G3})");
            }
        }
    }

    public static void AssertInts(Tensor got, int[] shape, int[] expected, string what = "")
    {
        CollectionAssert.AreEqual(shape, got.Shape.ToArray(), $"{what} shape");
        Assert.AreEqual(TensorElementType.Int32, got.ElementType, $"{what} type");
        CollectionAssert.AreEqual(expected, got.Ints.ToArray(), what);
    }

    public static float[] Random(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * (float)rng.NextDouble()).ToArray();
    }

    public static Tensor RandomTensor(int seed, params int[] shape) =>
        Tensor.FromFloats(Random(shape.Aggregate(1, (a, b) => a * b), seed), shape);

    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);
}
