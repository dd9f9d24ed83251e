using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Tests.Engine;

/// <summary>Builds small MNN nets in code: tensors are referred to by name, indices are assigned in order.</summary>
internal sealed class NetBuilder
{
    private readonly NetT _net = new() { Oplists = [], TensorName = [], OutputName = [] };

    public int Tensor(string name)
    {
        int i = _net.TensorName.IndexOf(name);
        if (i >= 0)
        {
            return i;
        }

        _net.TensorName.Add(name);
        return _net.TensorName.Count - 1;
    }

    public NetBuilder Input(string name, int[] dims, DataType type = DataType.DT_FLOAT, MNN_DATA_FORMAT format = MNN_DATA_FORMAT.NCHW) =>
        Op(OpType.Input, OpParameterUnion.FromInput(new InputT { Dims = [.. dims], Dtype = type, Dformat = format }), [], [name], name);

    public NetBuilder Const(string name, float[] values, params int[] dims) =>
        Op(OpType.Const, OpParameterUnion.FromBlob(new BlobT { Dims = [.. dims], DataType = DataType.DT_FLOAT, DataFormat = MNN_DATA_FORMAT.NCHW, Float32s = [.. values] }), [], [name], name);

    public NetBuilder ConstInts(string name, int[] values, params int[] dims) =>
        Op(OpType.Const, OpParameterUnion.FromBlob(new BlobT { Dims = [.. dims], DataType = DataType.DT_INT32, DataFormat = MNN_DATA_FORMAT.NCHW, Int32s = [.. values] }), [], [name], name);

    public NetBuilder Op(OpType type, OpParameterUnion? param, string[] inputs, string[] outputs, string? name = null)
    {
        _net.Oplists.Add(new OpT
        {
            Type = type,
            Main = param ?? new OpParameterUnion(),
            Name = name ?? $"{type}_{_net.Oplists.Count}",
            InputIndexes = inputs.Select(Tensor).ToList(),
            OutputIndexes = outputs.Select(Tensor).ToList(),
        });
        return this;
    }

    public NetBuilder Output(params string[] names)
    {
        _net.OutputName.AddRange(names);
        return this;
    }

    public NetT Net => _net;

    public MnnModel Model() => MnnModel.FromNet(_net, "test-net");

    public MnnSession Session(MnnSessionOptions? options = null) => new(Model(), options);
}

internal static class TestRun
{
    public static Dictionary<string, Tensor> Inputs(params (string Name, Tensor Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);

    public static Tensor Floats(float[] data, params int[] shape) => Tensor.FromFloats(data, shape);

    public static Tensor Ints(int[] data, params int[] shape) => Tensor.FromInts(data, shape);

    public static float[] Iota(int n) => Enumerable.Range(0, n).Select(i => (float)i).ToArray();

    /// <summary>Runs a single-output session on one float input and returns the output.</summary>
    public static Tensor RunOne(NetBuilder b, string inputName, Tensor input) =>
        b.Session().Run(Inputs((inputName, input))).Values.Single();

    public static void AssertShape(Tensor t, params int[] shape) =>
        CollectionAssert.AreEqual(shape, t.Shape.ToArray(), $"shape of {t}");

    public static void AssertFloats(Tensor t, params float[] values) =>
        CollectionAssert.AreEqual(values, t.Floats.ToArray(), $"values of {t}: [{string.Join(",", t.Floats.ToArray())}]");

    public static void AssertInts(Tensor t, params int[] values) =>
        CollectionAssert.AreEqual(values, t.Ints.ToArray(), $"values of {t}: [{string.Join(",", t.Ints.ToArray())}]");

    public static ModelBuildException Throws(Action action, string code)
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(action);
        Assert.AreEqual(code, e.Code, e.Message);
        return e;
    }
}
