using ModelBuild.Runtime.Format.Schema;
using static ModelBuild.Runtime.Tests.Engine.TestRun;

namespace ModelBuild.Runtime.Tests.Engine;

[TestClass]
public sealed class ShapeOpTests
{
    [TestMethod]
    public void Reshape_DimsParameter_ZeroCopiesAndMinusOneInfers()
    {
        var b = new NetBuilder().Input("x", [2, 3, 4])
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [0, -1], DimType = MNN_DATA_FORMAT.NCHW }), ["x"], ["y"]);
        var y = RunOne(b, "x", Floats(Iota(24), 2, 3, 4));
        AssertShape(y, 2, 12);
        AssertFloats(y, Iota(24));
    }

    [TestMethod]
    public void Reshape_ShapeFromSecondInput_FollowsDynamicInput()
    {
        var b = new NetBuilder().Input("x", [-1, 4]).ConstInts("s", [2, -1], 2)
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT()), ["x", "s"], ["y"]);
        using var s = b.Session();
        AssertShape(s.Run(Inputs(("x", Floats(Iota(8), 2, 4))))["y"], 2, 4);
        AssertShape(s.Run(Inputs(("x", Floats(Iota(24), 6, 4))))["y"], 2, 12);
    }

    [TestMethod]
    public void Reshape_Incompatible_IsShapeError()
    {
        var b = new NetBuilder().Input("x", [2, 3])
            .Op(OpType.Reshape, OpParameterUnion.FromReshape(new ReshapeT { Dims = [4, -1] }), ["x"], ["y"]);
        Throws(() => RunOne(b, "x", Floats(Iota(6), 2, 3)), "MB4001");
    }

    [TestMethod]
    public void Concat_NegativeAxis_JoinsAlongLastDimension()
    {
        var b = new NetBuilder().Input("x", [2, 2]).Const("c", [10, 11, 12, 13, 14, 15], 2, 3)
            .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = -1 }), ["x", "c"], ["y"]);
        var y = RunOne(b, "x", Floats([0, 1, 2, 3], 2, 2));
        AssertShape(y, 2, 5);
        AssertFloats(y, 0, 1, 10, 11, 12, 2, 3, 13, 14, 15);
    }

    [TestMethod]
    public void Concat_LargeInputsCopiedConcurrentlyLandInPlace()
    {
        // 3 × [2, c, 40, 41] along the channel axis: several strided blocks per input, output large enough for threads.
        int[] channels = [5, 9, 7];
        var b = new NetBuilder().Input("a", [2, 5, 40, 41]).Input("b", [2, 9, 40, 41]).Input("c", [2, 7, 40, 41])
            .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 1 }), ["a", "b", "c"], ["y"]);
        var inputs = channels.Select((c, i) => Floats(Iota(2 * c * 40 * 41).Select(v => v + (i * 100000f)).ToArray(), 2, c, 40, 41)).ToArray();
        var expected = new List<float>();
        for (int n = 0; n < 2; n++)
        {
            for (int i = 0; i < 3; i++)
            {
                int block = channels[i] * 40 * 41;
                expected.AddRange(inputs[i].Floats.Slice(n * block, block).ToArray());
            }
        }

        foreach (int threads in new[] { 1, 3 })
        {
            using var s = b.Session(new MnnSessionOptions { Threads = threads });
            var y = s.Run(Inputs(("a", inputs[0]), ("b", inputs[1]), ("c", inputs[2])))["y"];
            AssertShape(y, 2, 21, 40, 41);
            CollectionAssert.AreEqual(expected, y.Floats.ToArray(), $"threads {threads}");
        }
    }

    [TestMethod]
    public void Concat_IntShapeVectors()
    {
        var b = new NetBuilder().Input("x", [2, 3, 4])
            .Op(OpType.Shape, null, ["x"], ["s"])
            .ConstInts("m", [-1], 1)
            .Op(OpType.Concat, OpParameterUnion.FromAxis(new AxisT { Axis_ = 0 }), ["m", "s"], ["y"]);
        AssertInts(RunOne(b, "x", Floats(Iota(24), 2, 3, 4)), -1, 2, 3, 4);
    }

    [TestMethod]
    public void StridedSlice_OnnxForm_AxesAndNegativeStep()
    {
        // x[:, ::-2] on a [2, 5] tensor via starts=-1, ends=INT_MIN-ish, axes=1, steps=-2.
        var b = new NetBuilder().Input("x", [2, 5])
            .ConstInts("b", [-1], 1).ConstInts("e", [int.MinValue], 1).ConstInts("a", [1], 1).ConstInts("st", [-2], 1)
            .Op(OpType.StridedSlice, OpParameterUnion.FromStridedSliceParam(new StridedSliceParamT { FromType = 1 }), ["x", "b", "e", "a", "st"], ["y"]);
        var y = RunOne(b, "x", Floats(Iota(10), 2, 5));
        AssertShape(y, 2, 3);
        AssertFloats(y, 4, 2, 0, 9, 7, 5);
    }

    [TestMethod]
    public void StridedSlice_OnnxForm_ClampsLargeEnd()
    {
        var b = new NetBuilder().Input("x", [6])
            .ConstInts("b", [2], 1).ConstInts("e", [int.MaxValue], 1).ConstInts("a", [0], 1)
            .Op(OpType.StridedSlice, OpParameterUnion.FromStridedSliceParam(new StridedSliceParamT { FromType = 1 }), ["x", "b", "e", "a"], ["y"]);
        AssertFloats(RunOne(b, "x", Floats(Iota(6), 6)), 2, 3, 4, 5);
    }

    [TestMethod]
    public void StridedSlice_TfForm_MasksEllipsisNewAxisShrink()
    {
        // x[..., 1, tf.newaxis, ::2] on [2, 3, 4]: ellipsis covers dim 0, shrink dim 1 at index 1, new axis, dim 2 step 2.
        var p = new StridedSliceParamT { FromType = 0, EllipsisMask = 1, ShrinkAxisMask = 2, NewAxisMask = 4, BeginMask = 8, EndMask = 8 };
        var b = new NetBuilder().Input("x", [2, 3, 4])
            .ConstInts("b", [0, 1, 0, 0], 4).ConstInts("e", [0, 2, 0, 0], 4).ConstInts("s", [1, 1, 1, 2], 4)
            .Op(OpType.StridedSlice, OpParameterUnion.FromStridedSliceParam(p), ["x", "b", "e", "s"], ["y"]);
        var y = RunOne(b, "x", Floats(Iota(24), 2, 3, 4));
        AssertShape(y, 2, 1, 2);
        AssertFloats(y, 4, 6, 16, 18);
    }

    [TestMethod]
    public void SliceTf_BeginAndSizeWithMinusOne()
    {
        var b = new NetBuilder().Input("x", [3, 4]).ConstInts("b", [1, -3], 2).ConstInts("s", [-1, 2], 2)
            .Op(OpType.SliceTf, null, ["x", "b", "s"], ["y"]);
        var y = RunOne(b, "x", Floats(Iota(12), 3, 4));
        AssertShape(y, 2, 2);
        AssertFloats(y, 5, 6, 9, 10);
    }

    [TestMethod]
    public void Slice_CaffePoints_TorchSizes_AndEvenSplit()
    {
        var caffe = new NetBuilder().Input("x", [2, 4])
            .Op(OpType.Slice, OpParameterUnion.FromSlice(new SliceT { Axis = 1, SlicePoints = [1], SourceType = NetSource.CAFFE }), ["x"], ["a", "b"]);
        var r = caffe.Session().Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        AssertFloats(r["a"], 0, 4);
        AssertFloats(r["b"], 1, 2, 3, 5, 6, 7);

        var sizes = new NetBuilder().Input("x", [3, 2])
            .Op(OpType.Slice, OpParameterUnion.FromSlice(new SliceT { Axis = 0, SlicePoints = [2, 1], SourceType = NetSource.TORCH }), ["x"], ["a", "b"]);
        r = sizes.Session().Run(Inputs(("x", Floats(Iota(6), 3, 2))));
        AssertFloats(r["a"], 0, 1, 2, 3);
        AssertFloats(r["b"], 4, 5);

        var even = new NetBuilder().Input("x", [2, 4])
            .Op(OpType.Slice, OpParameterUnion.FromSlice(new SliceT { Axis = -1, SourceType = NetSource.TORCH }), ["x"], ["a", "b"]);
        r = even.Session().Run(Inputs(("x", Floats(Iota(8), 2, 4))));
        AssertFloats(r["a"], 0, 1, 4, 5);
        AssertFloats(r["b"], 2, 3, 6, 7);
    }

    [TestMethod]
    public void Unpack_And_Pack_RoundTrip()
    {
        var b = new NetBuilder().Input("x", [2, 3])
            .Op(OpType.Unpack, OpParameterUnion.FromAxis(new AxisT { Axis_ = 1 }), ["x"], ["a", "b", "c"])
            .Op(OpType.Pack, OpParameterUnion.FromPackParam(new PackParamT { Axis = 0 }), ["c", "a"], ["y"])
            .Output("b", "y");
        var r = b.Session().Run(Inputs(("x", Floats(Iota(6), 2, 3))));
        AssertShape(r["b"], 2);
        AssertFloats(r["b"], 1, 4);
        AssertShape(r["y"], 2, 2);
        AssertFloats(r["y"], 2, 5, 0, 3);
    }

    [TestMethod]
    public void Transpose_And_Permute()
    {
        var b = new NetBuilder().Input("x", [2, 3, 4]).ConstInts("p", [2, 0, 1], 3)
            .Op(OpType.Transpose, OpParameterUnion.FromTranspose(new TransposeT()), ["x", "p"], ["t"])
            .Op(OpType.Permute, OpParameterUnion.FromPermute(new PermuteT { Dims = [1, 2, 0] }), ["t"], ["y"])
            .Output("t", "y");
        var x = Floats(Iota(24), 2, 3, 4);
        var r = b.Session().Run(Inputs(("x", x)));
        AssertShape(r["t"], 4, 2, 3);
        Assert.AreEqual(x.Floats[1 * 12 + 2 * 4 + 3], r["t"].Floats[3 * 6 + 1 * 3 + 2]);
        AssertFloats(r["y"], Iota(24));
    }

    [TestMethod]
    public void GatherV2_AxisInputAndNegativeIndices()
    {
        var b = new NetBuilder().Input("x", [2, 3]).ConstInts("i", [-1, 0], 2).ConstInts("a", [1])
            .Op(OpType.GatherV2, OpParameterUnion.FromGatherV2(new GatherV2T()), ["x", "i", "a"], ["y"]);
        var y = RunOne(b, "x", Floats(Iota(6), 2, 3));
        AssertShape(y, 2, 2);
        AssertFloats(y, 2, 0, 5, 3);
    }

    [TestMethod]
    public void Gather_ScalarIndexDropsAxis_OutOfRangeFails()
    {
        var b = new NetBuilder().Input("x", [3, 2]).ConstInts("i", [2])
            .Op(OpType.GatherV2, null, ["x", "i"], ["y"]);
        var y = RunOne(b, "x", Floats(Iota(6), 3, 2));
        AssertShape(y, 2);
        AssertFloats(y, 4, 5);
        var bad = new NetBuilder().Input("x", [3, 2]).ConstInts("i", [3])
            .Op(OpType.GatherV2, null, ["x", "i"], ["y"]);
        Throws(() => RunOne(bad, "x", Floats(Iota(6), 3, 2)), "MB4001");
    }

    [TestMethod]
    public void Tile_RepeatsEveryAxis()
    {
        var b = new NetBuilder().Input("x", [2, 2]).ConstInts("m", [2, 3], 2).Op(OpType.Tile, null, ["x", "m"], ["y"]);
        var y = RunOne(b, "x", Floats([1, 2, 3, 4], 2, 2));
        AssertShape(y, 4, 6);
        AssertFloats(y, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4);
    }

    [TestMethod]
    public void BroadcastTo_Bidirectional()
    {
        var b = new NetBuilder().Input("x", [3, 1]).ConstInts("s", [2, 1, 2], 3).Op(OpType.BroadcastTo, null, ["x", "s"], ["y"]);
        var y = RunOne(b, "x", Floats([1, 2, 3], 3, 1));
        AssertShape(y, 2, 3, 2);
        AssertFloats(y, 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
    }

    [TestMethod]
    public void Squeeze_Unsqueeze_Flatten_ExpandDims()
    {
        var b = new NetBuilder().Input("x", [1, 3, 1, 2])
            .Op(OpType.Squeeze, OpParameterUnion.FromSqueezeParam(new SqueezeParamT()), ["x"], ["a"])
            .Op(OpType.Unsqueeze, OpParameterUnion.FromSqueezeParam(new SqueezeParamT { SqueezeDims = [0, -1] }), ["a"], ["b"])
            .Op(OpType.Flatten, OpParameterUnion.FromFlatten(new FlattenT { Axis = 2, EndAxis = 0 }), ["b"], ["c"])
            .Op(OpType.Flatten, OpParameterUnion.FromFlatten(new FlattenT { Axis = 1, EndAxis = 2 }), ["b"], ["d"])
            .Op(OpType.ExpandDims, OpParameterUnion.FromExpandDims(new ExpandDimsT { Axis = -2 }), ["a"], ["e"])
            .Output("a", "b", "c", "d", "e");
        var r = b.Session().Run(Inputs(("x", Floats(Iota(6), 1, 3, 1, 2))));
        AssertShape(r["a"], 3, 2);
        AssertShape(r["b"], 1, 3, 2, 1);
        AssertShape(r["c"], 3, 2);
        AssertShape(r["d"], 1, 6, 1);
        AssertShape(r["e"], 3, 1, 2);
        AssertFloats(r["d"], Iota(6));
    }

    [TestMethod]
    public void Squeeze_Unsqueeze_AxesFromSecondInput()
    {
        // squeezeDims absent (unpacked as empty) + input 1: the axes are input 1, not "every size-1 axis".
        var b = new NetBuilder().Input("x", [1, 3, 1, 2]).ConstInts("sq", [2], 1).ConstInts("unsq", [-1, 1], 2)
            .Op(OpType.Squeeze, OpParameterUnion.FromSqueezeParam(new SqueezeParamT()), ["x", "sq"], ["a"])
            .Op(OpType.Unsqueeze, OpParameterUnion.FromSqueezeParam(new SqueezeParamT()), ["a", "unsq"], ["b"])
            .Output("a", "b");
        var r = b.Session().Run(Inputs(("x", Floats(Iota(6), 1, 3, 1, 2))));
        AssertShape(r["a"], 1, 3, 2);
        AssertShape(r["b"], 1, 1, 3, 2, 1);
        AssertFloats(r["b"], Iota(6));
    }

    [TestMethod]
    public void Shape_Rank_Size()
    {
        var b = new NetBuilder().Input("x", [-1, 3])
            .Op(OpType.Shape, null, ["x"], ["s"]).Op(OpType.Rank, null, ["x"], ["r"]).Op(OpType.Size, null, ["x"], ["n"])
            .Output("s", "r", "n");
        var r = b.Session().Run(Inputs(("x", Floats(Iota(15), 5, 3))));
        AssertInts(r["s"], 5, 3);
        AssertShape(r["r"]);
        AssertInts(r["r"], 2);
        AssertInts(r["n"], 15);
    }

    [TestMethod]
    public void Cast_FloatToIntTruncates_IntToFloat_Bool()
    {
        var b = new NetBuilder().Input("x", [4])
            .Op(OpType.Cast, OpParameterUnion.FromCastParam(new CastParamT { DstT = DataType.DT_INT64 }), ["x"], ["i"])
            .Op(OpType.Cast, OpParameterUnion.FromCastParam(new CastParamT { DstT = DataType.DT_FLOAT }), ["i"], ["f"])
            .Op(OpType.Cast, OpParameterUnion.FromCastParam(new CastParamT { DstT = DataType.DT_BOOL }), ["x"], ["b"])
            .Output("i", "f", "b");
        var r = b.Session().Run(Inputs(("x", Floats([1.7f, -1.7f, 0f, float.NaN], 4))));
        AssertInts(r["i"], 1, -1, 0, 0);
        AssertFloats(r["f"], 1, -1, 0, 0);
        AssertInts(r["b"], 1, 1, 0, 1);
    }

    [TestMethod]
    public void Range_Fill_ZerosLike()
    {
        var b = new NetBuilder().Input("x", [2])
            .ConstInts("start", [1]).ConstInts("limit", [8]).ConstInts("delta", [3])
            .Op(OpType.Range, null, ["start", "limit", "delta"], ["r"])
            .ConstInts("shape", [2, 2], 2).Const("v", [7f])
            .Op(OpType.Fill, null, ["shape", "v"], ["f"])
            .Op(OpType.ZerosLike, null, ["x"], ["z"])
            .Output("r", "f", "z");
        var res = b.Session().Run(Inputs(("x", Floats([5, 6], 2))));
        AssertInts(res["r"], 1, 4, 7);
        AssertShape(res["f"], 2, 2);
        AssertFloats(res["f"], 7, 7, 7, 7);
        AssertFloats(res["z"], 0, 0);
    }

    [TestMethod]
    public void Select_BroadcastsConditionAndValues()
    {
        var b = new NetBuilder().Input("c", [2, 1], DataType.DT_INT32).Input("x", [2, 2]).Const("y", [-1f])
            .Op(OpType.Select, null, ["c", "x", "y"], ["o"]);
        var r = b.Session().Run(Inputs(("c", Ints([1, 0], 2, 1)), ("x", Floats([1, 2, 3, 4], 2, 2))));
        AssertFloats(r["o"], 1, 2, -1, -1);
    }

    [TestMethod]
    public void DepthToSpace_DcrAndCrd_SpaceToDepthInverts()
    {
        var dcr = new NetBuilder().Input("x", [1, 4, 1, 1])
            .Op(OpType.DepthToSpace, OpParameterUnion.FromDepthSpaceParam(new DepthSpaceParamT { BlockSize = 2, Mode = DepthToSpaceMode.DCR }), ["x"], ["y"])
            .Op(OpType.SpaceToDepth, OpParameterUnion.FromDepthSpaceParam(new DepthSpaceParamT { BlockSize = 2 }), ["y"], ["z"])
            .Output("y", "z");
        var r = dcr.Session().Run(Inputs(("x", Floats([0, 1, 2, 3], 1, 4, 1, 1))));
        AssertShape(r["y"], 1, 1, 2, 2);
        AssertFloats(r["y"], 0, 1, 2, 3);
        AssertFloats(r["z"], 0, 1, 2, 3);

        // 8 channels, block 2: DCR reads channel b1*4 + b2*2 + c; CRD reads c*4 + b1*2 + b2.
        var crd = new NetBuilder().Input("x", [1, 8, 1, 1])
            .Op(OpType.DepthToSpace, OpParameterUnion.FromDepthSpaceParam(new DepthSpaceParamT { BlockSize = 2, Mode = DepthToSpaceMode.CRD }), ["x"], ["y"]);
        var y = RunOne(crd, "x", Floats(Iota(8), 1, 8, 1, 1));
        AssertShape(y, 1, 2, 2, 2);
        AssertFloats(y, Iota(8));
        var dcr8 = new NetBuilder().Input("x", [1, 8, 1, 1])
            .Op(OpType.DepthToSpace, OpParameterUnion.FromDepthSpaceParam(new DepthSpaceParamT { BlockSize = 2, Mode = DepthToSpaceMode.DCR }), ["x"], ["y"]);
        AssertFloats(RunOne(dcr8, "x", Floats(Iota(8), 1, 8, 1, 1)), 0, 2, 4, 6, 1, 3, 5, 7);
    }

    [TestMethod]
    public void Im2Col_MatchesDefinitionWithPadding()
    {
        var common = new Convolution2DCommonT { KernelX = 2, KernelY = 2, StrideX = 1, StrideY = 1, DilateX = 1, DilateY = 1, Pads = [1, 0, 0, 0] };
        var b = new NetBuilder().Input("x", [1, 1, 2, 2])
            .Op(OpType.Im2Col, OpParameterUnion.FromConvolution2D(new Convolution2DT { Common = common }), ["x"], ["y"]);
        var y = RunOne(b, "x", Floats([1, 2, 3, 4], 1, 1, 2, 2));
        // oh = (2 + 1 - 2) + 1 = 2, ow = 1; rows (ky, kx): padded rows y = oy + ky - 1.
        AssertShape(y, 4, 2);
        AssertFloats(y, 0, 1, 0, 2, 1, 3, 2, 4);
    }

    [TestMethod]
    public void ConvertTensor_Nc4hw4IsCopy_NhwcIsRejected()
    {
        var ok = new NetBuilder().Input("x", [1, 2, 1, 1])
            .Op(OpType.ConvertTensor, OpParameterUnion.FromTensorConvertInfo(new TensorConvertInfoT { Source = MNN_DATA_FORMAT.NCHW, Dest = MNN_DATA_FORMAT.NC4HW4 }), ["x"], ["y"]);
        AssertFloats(RunOne(ok, "x", Floats([3, 4], 1, 2, 1, 1)), 3, 4);

        var nhwc = new NetBuilder().Input("x", [1, 2, 1, 1])
            .Op(OpType.ConvertTensor, OpParameterUnion.FromTensorConvertInfo(new TensorConvertInfoT { Source = MNN_DATA_FORMAT.NHWC, Dest = MNN_DATA_FORMAT.NC4HW4 }), ["x"], ["y"]);
        Throws(() => nhwc.Session(), "MB3003");
        var nhwcInput = new NetBuilder().Input("x", [1, 2, 2, 3], format: MNN_DATA_FORMAT.NHWC).Op(OpType.Shape, null, ["x"], ["y"]);
        Throws(() => nhwcInput.Session(), "MB3003");
    }
}
