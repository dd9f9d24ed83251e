using ModelBuild.Runtime.Format.Schema;
using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Operators.OpHarness;

namespace ModelBuild.Runtime.Tests.Operators;

/// <summary>
/// The LSTM / RNN / RNNSequenceGRU executors in the input layouts upstream MNN writes: every ISA level and thread count
/// bit-identical to scalar, GRU's transposed [W|R] layout equal to the ONNX-form math, bad shapes coded errors.
/// </summary>
[TestClass]
public sealed class RecurrentExecutorTests
{
    private const int Seq = 4, Batch = 2, In = 3, H = 5;

    private static Tensor[] LstmInputs(int dirs, bool states) =>
    [
        RandomTensor(1, Seq, Batch, In), RandomTensor(2, dirs, 4 * H, In), RandomTensor(3, dirs, 4 * H, H), RandomTensor(4, dirs, 4 * H),
        .. states ? new[] { RandomTensor(5, dirs, Batch, H), RandomTensor(6, dirs, Batch, H) } : [],
    ];

    private static OpT Lstm() => Op(OpType.LSTM, new LSTMT { OutputCount = H }, OpParameter.LSTM);

    [TestMethod]
    [DataRow(1, false)]
    [DataRow(2, true)]
    public void LstmBitIdenticalAtEveryLevelAndThreadCount(int dirs, bool states)
    {
        var inputs = LstmInputs(dirs, states);
        var reference = RunOnce(Lstm(), IsaLevel.Scalar, 1, inputs, 3);
        CollectionAssert.AreEqual(new[] { Seq, dirs, Batch, H }, reference[0].Shape.ToArray());
        CollectionAssert.AreEqual(new[] { dirs, Batch, H }, reference[2].Shape.ToArray());
        foreach (var isa in KernelIsa.Available)
        {
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var got = RunOnce(Lstm(), isa, threads, inputs, 3);
                for (int i = 0; i < 3; i++)
                {
                    AssertBitIdentical(reference[i], got[i], $"LSTM output {i} isa={isa} threads={threads}");
                }
            }
        }

        // Y_h is Y's last step (forward) / first step (backward).
        var y = reference[0].Floats;
        var yh = reference[1].Floats;
        for (int j = 0; j < Batch * H; j++)
        {
            Assert.AreEqual(y[((Seq - 1) * dirs * Batch * H) + j], yh[j]);
            if (dirs == 2)
            {
                Assert.AreEqual(y[(Batch * H) + j], yh[(Batch * H) + j]);
            }
        }
    }

    [TestMethod]
    public void GruUpstreamLayoutMatchesOnnxFormKernel()
    {
        // ONNX-form W [3H, In], R [3H, H], Wb, Rb → upstream's gate/candidate layout; both must give the same bits.
        var w = Random(3 * H * In, 11);
        var r = Random(3 * H * H, 12);
        var wb = Random(3 * H, 13);
        var rb = Random(3 * H, 14);
        var x = RandomTensor(15, Seq, Batch, In);
        var gate = new float[(In + H) * 2 * H];
        var cand = new float[(In + H) * H];
        for (int row = 0; row < In + H; row++)
        {
            for (int col = 0; col < 3 * H; col++)
            {
                float v = row < In ? w[(col * In) + row] : r[(col * H) + row - In];
                if (col < 2 * H)
                {
                    gate[(row * 2 * H) + col] = v;
                }
                else
                {
                    cand[(row * H) + col - (2 * H)] = v;
                }
            }
        }

        foreach (bool lbr in new[] { false, true })
        {
            var op = Op(OpType.RNNSequenceGRU, new RNNParamT { NumUnits = H, KeepAllOutputs = true, LinearBeforeReset = lbr }, OpParameter.RNNParam);
            var got = RunOnce(op, KernelIsa.Best, 2, [x, Tensor.FromFloats(gate, In + H, 2 * H), Tensor.FromFloats(wb[..(2 * H)], 1, 2 * H),
                Tensor.FromFloats(cand, In + H, H), Tensor.FromFloats(wb[(2 * H)..], 1, H), Tensor.FromFloats(rb, 1, 3 * H)], 2);
            var wT = new float[In * 3 * H];
            var rT = new float[H * 3 * H];
            for (int c = 0; c < 3 * H; c++)
            {
                for (int k = 0; k < In; k++)
                {
                    wT[(k * 3 * H) + c] = w[(c * In) + k];
                }

                for (int k = 0; k < H; k++)
                {
                    rT[(k * 3 * H) + c] = r[(c * H) + k];
                }
            }

            var y = new float[Seq * Batch * H];
            var yh = new float[Batch * H];
            var scratch = new float[Recurrent.ScratchLength(RecurrentCell.Gru, Seq, Batch, H)];
            Recurrent.Sequence(IsaLevel.Scalar, lbr ? RecurrentCell.GruLinearBeforeReset : RecurrentCell.Gru, Seq, Batch, In, H,
                x.Floats, wT, rT, wb, rb, default, default, false, y, 0, 1, yh, default, scratch);
            AssertBitIdentical(Tensor.FromFloats(y, Seq, 1, Batch, H), got[0], $"GRU Y lbr={lbr}");
            AssertBitIdentical(Tensor.FromFloats(yh, 1, Batch, H), got[1], $"GRU Y_h lbr={lbr}");
        }
    }

    [TestMethod]
    public void WrongWeightShapeIsACodedError()
    {
        var inputs = LstmInputs(1, false);
        inputs[2] = RandomTensor(3, 1, 4 * H, H + 1);
        var e = Assert.ThrowsExactly<ModelBuildException>(() => RunMany(Lstm(), 3, inputs));
        StringAssert.StartsWith(e.Code, "MB");
        StringAssert.Contains(e.Message, "do not fit");
    }

    [TestMethod]
    public void CaffeFormLstmIsRejected()
    {
        var e = Assert.ThrowsExactly<ModelBuildException>(() => RunMany(Lstm(), 1, LstmInputs(1, false)));
        StringAssert.Contains(e.Message, "Caffe form");
    }
}
