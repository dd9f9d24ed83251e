using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Engine.TestRun;

namespace ModelBuild.Runtime.Tests.Engine;

[TestClass]
public sealed class SessionTests
{
    /// <summary>x[-1, 4] → Reshape[-1] → Concat(with itself) → Transpose-free chain of copies; output 'y' and 'z'.</summary>
    private static NetBuilder Chain() => new NetBuilder().Input("x", [-1, 4])
        .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [-1] }), ["x"], ["a"])
        .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 0 }), ["a", "a"], ["b"])
        .Op(OpType.ConvertTensor, OpParameterUnion.FromTensorConvertInfo(new TensorConvertInfoT()), ["b"], ["c"])
        .Op(OpType.Unsqueeze, OpParameterUnion.FromSqueezeParam(new SqueezeParamT { SqueezeDims = [0] }), ["c"], ["d"])
        .Op(OpType.Squeeze, OpParameterUnion.FromSqueezeParam(new SqueezeParamT { SqueezeDims = [0] }), ["d"], ["e"])
        .Op(OpType.Shape, null, ["e"], ["y"])
        .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 0 }), ["e", "a"], ["z"])
        .Output("y", "z");

    [TestMethod]
    public void ModelDescribesInputsAndOutputs()
    {
        var model = Chain().Model();
        Assert.AreEqual(1, model.Inputs.Count);
        Assert.AreEqual("x", model.Inputs[0].Name);
        CollectionAssert.AreEqual(new[] { -1, 4 }, model.Inputs[0].Shape.ToArray());
        CollectionAssert.AreEqual(new[] { "y", "z" }, model.Outputs.Select(o => o.Name).ToArray());
        Assert.AreEqual(TensorElementType.Int32, model.Outputs[0].ElementType);
        Assert.AreEqual(TensorElementType.Float32, model.Outputs[1].ElementType);
    }

    [TestMethod]
    public void OutputsDefaultToUnconsumedTensors()
    {
        var b = new NetBuilder().Input("x", [2])
            .Op(OpType.Shape, null, ["x"], ["s"])
            .Op(OpType.ZerosLike, null, ["x"], ["z"]);
        using var s = b.Session();
        CollectionAssert.AreEqual(new[] { "s", "z" }, s.OutputNames.ToArray());
    }

    [TestMethod]
    public void RunReturnsOutputsInModelOrder()
    {
        using var s = Chain().Session();
        var r = s.Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        CollectionAssert.AreEqual(new[] { "y", "z" }, r.Keys.ToArray());
        AssertInts(r["y"], 16);
        var expected = Iota(8).Concat(Iota(8)).Concat(Iota(8)).ToArray();
        AssertFloats(r["z"], expected);
    }

    [TestMethod]
    public void ReplansWhenInputShapeChanges()
    {
        using var s = Chain().Session();
        foreach (int rows in new[] { 2, 5, 1, 5, 3 })
        {
            var x = Floats(Iota(rows * 4).Select(v => v * rows).ToArray(), rows, 4);
            var r = s.Run(Inputs(("x", x)));
            AssertInts(r["y"], rows * 8);
            var a = x.Floats.ToArray();
            AssertFloats(r["z"], a.Concat(a).Concat(a).ToArray());
        }
    }

    [TestMethod]
    public void IntermediateBuffersAreShared()
    {
        var b = new NetBuilder().Input("x", [4]);
        string prev = "x";
        for (int i = 0; i < 10; i++)
        {
            b.Op(OpType.ConvertTensor, OpParameterUnion.FromTensorConvertInfo(new TensorConvertInfoT()), [prev], [$"t{i}"]);
            prev = $"t{i}";
        }

        b.Output(prev);
        var graph = new ExecutionGraph(b.Model(), new MnnSessionOptions());
        Assert.AreEqual(1, graph.SlotCount, "a chain of views shares its input's buffer");
        using var s = b.Session();
        AssertFloats(s.Run(Inputs(("x", Floats([1, 2, 3, 4], 4))))[prev], 1, 2, 3, 4);
    }

    [TestMethod]
    public void ComputedChainAlternatesTwoBuffers()
    {
        var b = new NetBuilder().Input("x", [4]);
        string prev = "x";
        for (int i = 0; i < 10; i++)
        {
            b.Op(OpType.ReLU, null, [prev], [$"t{i}"]);
            prev = $"t{i}";
        }

        b.Output(prev);
        var graph = new ExecutionGraph(b.Model(), new MnnSessionOptions());
        Assert.AreEqual(2, graph.SlotCount, "each op writes a buffer other than the one it reads");
        using var s = b.Session();
        AssertFloats(s.Run(Inputs(("x", Floats([1, -2, 3, -4], 4))))[prev], 1, 0, 3, 0);
    }

    [TestMethod]
    public void ViewKeepsItsSharedBufferAliveForLaterReaders()
    {
        // r is a view of a; a's own last reader (y) comes before r's (z), and q is written in between.
        var b = new NetBuilder().Input("x", [2, 3])
            .Op(OpType.ReLU, null, ["x"], ["a"])
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [-1] }), ["a"], ["r"])
            .Op(OpType.Sigmoid, null, ["r"], ["u"])
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [3, 2] }), ["u"], ["v"])
            .Op(OpType.TanH, null, ["v"], ["w"])
            .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 0 }), ["a", "x"], ["y"])
            .Op(OpType.Sigmoid, null, ["x"], ["q"])
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [-1] }), ["q"], ["f"])
            .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 0 }), ["r", "f"], ["z"])
            .Output("y", "z", "w");
        float[] x = [-1, 2, -3, 4, 5, -6];
        var a = x.Select(v => Math.Max(v, 0f)).ToArray();
        using var s = b.Session();
        foreach (var fetch in new[] { new[] { "y", "z", "w" }, new[] { "r", "v", "y", "z", "w" } })
        {
            var r = s.Run(Inputs(("x", Floats(x, 2, 3))), fetch);
            AssertFloats(r["y"], a.Concat(x).ToArray());
            var z = r["z"].Floats.ToArray();
            CollectionAssert.AreEqual(a, z[..6], "r still holds a's values after u, v, w and q were written");
            var q = x.Select(v => 1f / (1f + MathF.Exp(-v))).ToArray();
            for (int i = 0; i < 6; i++)
            {
                Assert.AreEqual(q[i], z[6 + i], 1e-5f, "q, written while a and r were live");
            }

            AssertShape(r["w"], 3, 2);
            if (r.TryGetValue("r", out var view))
            {
                AssertShape(view, 6);
                AssertFloats(view, a);
                AssertShape(r["v"], 3, 2);
            }
        }
    }

    [TestMethod]
    public void FetchesIntermediateTensorsByName()
    {
        using var s = Chain().Session();
        var r = s.Run(Inputs(("x", Floats(Iota(8), 2, 4))), ["a", "x", "b", "z"]);
        CollectionAssert.AreEqual(new[] { "a", "x", "b", "z" }, r.Keys.ToArray());
        AssertShape(r["a"], 8);
        AssertFloats(r["a"], Iota(8));
        AssertShape(r["b"], 16);
        Throws(() => s.Run(Inputs(("x", Floats(Iota(8), 2, 4))), ["nope"]), "MB4003");
    }

    [TestMethod]
    public void OutputsAreCallerOwnedCopies()
    {
        var data = Iota(4);
        using var s = Chain().Session();
        var first = s.Run(Inputs(("x", Floats(data, 1, 4))))["z"];
        first.Floats.Fill(-5);
        data[0] = 100;
        var second = s.Run(Inputs(("x", Floats(Iota(4), 1, 4))))["z"];
        Assert.AreEqual(0f, second.Floats[0]);
        Assert.AreEqual(-5f, first.Floats[1]);
    }

    [TestMethod]
    public void InputErrors()
    {
        using var s = Chain().Session();
        Throws(() => s.Run(Inputs()), "MB4002");
        Throws(() => s.Run(Inputs(("x", Floats(Iota(4), 1, 4)), ("w", Floats(Iota(4), 4)))), "MB4003");
        Throws(() => s.Run(Inputs(("x", Floats(Iota(4), 4)))), "MB4001");
        Throws(() => s.Run(Inputs(("x", Floats(Iota(6), 2, 3)))), "MB4001");
        Throws(() => s.Run(Inputs(("x", Ints([1, 2, 3, 4], 1, 4)))), "MB4005");
    }

    [TestMethod]
    public void IntInputAcceptedForIntModelInput()
    {
        var b = new NetBuilder().Input("i", [3], DataType.DT_INT64).Op(OpType.Shape, null, ["i"], ["s"]);
        using var s = b.Session();
        AssertInts(s.Run(Inputs(("i", Ints([1, 2, 3], 3))))["s"], 3);
        Throws(() => s.Run(Inputs(("i", Floats([1, 2, 3], 3)))), "MB4005");
    }

    [TestMethod]
    public void DisposedSessionRefusesToRun()
    {
        var s = Chain().Session();
        s.Dispose();
        s.Dispose();
        var e = Assert.ThrowsExactly<ObjectDisposedException>(() => s.Run(Inputs(("x", Floats(Iota(4), 1, 4)))));
        StringAssert.Contains(e.Message, "disposed");
        Assert.ThrowsExactly<ObjectDisposedException>(() => s.Run(Inputs(("x", Floats(Iota(4), 1, 4))), ["y"]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => s.Run(Inputs(("x", Floats(Iota(4), 1, 4))), [new Tensor(TensorElementType.Int32, []), new Tensor(TensorElementType.Float32, [])]));
    }

    [TestMethod]
    public void DisposeReleasesTheBuffersWhileTheSessionIsStillReferenced()
    {
        var s = Chain().Session();
        var graph = RunAndWatch(s);
        s.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.IsFalse(graph.IsAlive, "the executors, packed weights and buffers are garbage after Dispose");
        Assert.AreEqual("x", s.InputNames[0], "the session object itself stays usable for its descriptions");
        GC.KeepAlive(s);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference RunAndWatch(MnnSession s)
    {
        s.Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        Assert.IsGreaterThan(0L, s.Graph!.SharedBytes + 1, "the graph exists before Dispose");
        return new WeakReference(s.Graph);
    }

    [TestMethod]
    public void OutputsShowTheShapesPlannedForTheLatestRun()
    {
        using var s = Chain().Session();
        Assert.AreEqual("z: Float32[?]", s.Outputs[1].ToString(), "before any run an MNN file's output shapes are unknown");
        s.Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        var planned = s.Outputs;
        Assert.AreEqual("y: Int32[1]", planned[0].ToString());
        Assert.AreEqual("z: Float32[24]", planned[1].ToString());
        Assert.IsTrue(planned[1].RankKnown);
        s.Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        Assert.AreSame(planned, s.Outputs, "same shapes: the description is kept (no allocation per run)");
        s.Run(Inputs(("x", Floats(Iota(12), 3, 4))));
        Assert.AreEqual("z: Float32[36]", s.Outputs[1].ToString());
        Assert.AreEqual("z: Float32[24]", planned[1].ToString(), "an earlier snapshot does not change");
        Assert.AreEqual("x: Float32[-1,4]", s.Inputs[0].ToString());
    }

    [TestMethod]
    public void UnsupportedOpTypeFailsAtSessionCreation()
    {
        var b = new NetBuilder().Input("x", [2]).Op(OpType.Svd, null, ["x"], ["y"], name: "my_svd");
        var model = b.Model();
        var e = Throws(() => new MnnSession(model), "MB3003");
        StringAssert.Contains(e.Message, "Svd");
        StringAssert.Contains(e.Message, "my_svd");
        StringAssert.Contains(e.Message, "test-net");
    }

    [TestMethod]
    public void MalformedGraphIsRejectedAtLoad()
    {
        var b = new NetBuilder().Input("x", [2]);
        b.Net.Oplists.Add(new OpT { Type = OpType.Shape, Name = "bad", InputIndexes = [7], OutputIndexes = [0] });
        Throws(() => b.Model(), "MB1103");
        var unproduced = new NetBuilder().Input("x", [2]);
        unproduced.Tensor("ghost");
        unproduced.Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT()), ["x", "ghost"], ["y"]);
        Throws(() => unproduced.Model(), "MB1103");
    }

    [TestMethod]
    public void TensorObserverSeesEveryOpOutput()
    {
        var seen = new List<(string Name, int[] Shape)>();
        var options = new MnnSessionOptions { TensorObserver = (name, t) => seen.Add((name, t.Shape.ToArray())) };
        using var s = Chain().Session(options);
        s.Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        CollectionAssert.AreEqual(new[] { "a", "b", "c", "d", "e", "y", "z" }, seen.Select(x => x.Name).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 16 }, seen[3].Shape);
    }

    [TestMethod]
    public void SessionsRunConcurrentlyAndOneSessionSerializes()
    {
        var model = Chain().Model();
        using var shared = new MnnSession(model);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(1, 4).Select(k => new Thread(() =>
        {
            using var own = new MnnSession(model);
            for (int it = 0; it < 50; it++)
            {
                int rows = 1 + ((k + it) % 4);
                var x = Floats(Iota(rows * 4).Select(v => v + k).ToArray(), rows, 4);
                foreach (var s in new[] { own, shared })
                {
                    var z = s.Run(Inputs(("x", x)))["z"].Floats.ToArray();
                    var a = x.Floats.ToArray();
                    if (!z.SequenceEqual(a.Concat(a).Concat(a)))
                    {
                        failures.Add($"thread {k} iteration {it}");
                    }
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsTrue(failures.IsEmpty, string.Join("; ", failures));
    }

    [TestMethod]
    public void LoadsFromBytesAndStream()
    {
        var bytes = ModelBuild.Runtime.Format.MnnModelWriter.Serialize(Chain().Net);
        var fromBytes = MnnModel.FromBytes(bytes);
        var fromStream = MnnModel.Load(new MemoryStream(bytes));
        using var s = new MnnSession(fromStream);
        AssertInts(s.Run(Inputs(("x", Floats(Iota(4), 1, 4))))["y"], 8);
        Assert.AreEqual("x", fromBytes.Inputs[0].Name);
        Throws(() => MnnModel.FromBytes([1, 2, 3]), "MB1101");
    }

    [TestMethod]
    public void SessionRecoversAfterAFailedRun()
    {
        var b = new NetBuilder().Input("x", [-1])
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [2, -1] }), ["x"], ["y"]);
        using var s = b.Session();
        AssertShape(s.Run(Inputs(("x", Floats(Iota(4), 4))))["y"], 2, 2);
        Throws(() => s.Run(Inputs(("x", Floats(Iota(3), 3)))), "MB4001");
        var y = s.Run(Inputs(("x", Floats(Iota(6), 6))))["y"];
        AssertShape(y, 2, 3);
        AssertFloats(y, Iota(6));
    }
}
