using ModelBuild.Runtime.Kernels;
using static ModelBuild.Runtime.Tests.Kernels.KernelTestUtil;

namespace ModelBuild.Runtime.Tests.Kernels;

/// <summary>
/// Recurrent.Sequence at every ISA level and thread count against the scalar level (bit for bit) and against a
/// double-precision transcription of the ONNX formulas (LSTM, GRU with both reset orders, RNN; both directions).
/// </summary>
[TestClass]
public sealed class RecurrentTests
{
    public static IEnumerable<object[]> Levels => AllLevels;

    private static readonly RecurrentCell[] Cells = [RecurrentCell.Lstm, RecurrentCell.Gru, RecurrentCell.GruLinearBeforeReset, RecurrentCell.Rnn];

    [TestMethod]
    [DynamicData(nameof(Levels))]
    public void SequenceBitIdenticalAndMatchesDoubleReference(IsaLevel isa)
    {
        foreach (var cell in Cells)
        {
            foreach ((int seq, int batch, int input, int hidden) in new[] { (1, 1, 1, 1), (5, 3, 4, 6), (4, 2, 7, 20), (3, 1, 16, 37) })
            {
                foreach (bool reverse in new[] { false, true })
                {
                    foreach (bool initial in new[] { false, true })
                    {
                        var c = new Case(cell, seq, batch, input, hidden, reverse, initial, seed: (seq * 31) + hidden);
                        var scalar = c.Run(IsaLevel.Scalar, threads: 1);
                        var got = c.Run(isa, threads: 2);
                        var what = $"{cell} seq={seq} batch={batch} in={input} H={hidden} reverse={reverse} initial={initial} isa={isa}";
                        AssertBitEqual(scalar.Y, got.Y, what + " Y");
                        AssertBitEqual(scalar.Yh, got.Yh, what + " Y_h");
                        AssertBitEqual(scalar.Yc, got.Yc, what + " Y_c");
                        var reference = c.Reference();
                        AssertClose(reference.Y, scalar.Y, 2e-6, 2e-5, what + " Y vs double");
                        AssertClose(reference.Yc, scalar.Yc, 2e-6, 2e-5, what + " Y_c vs double");
                    }
                }
            }
        }
    }

    [TestMethod]
    public void EmptySequenceReturnsInitialState()
    {
        var c = new Case(RecurrentCell.Lstm, 0, 2, 3, 4, reverse: false, initial: true, seed: 5);
        var r = c.Run(IsaLevel.Scalar, 1);
        CollectionAssert.AreEqual(c.H0, r.Yh);
        CollectionAssert.AreEqual(c.C0, r.Yc);
    }

    [TestMethod]
    public void TooSmallSpansAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Recurrent.Sequence(
            IsaLevel.Scalar, RecurrentCell.Rnn, 2, 1, 1, 1, new float[1], new float[1], new float[1], default, default,
            default, default, false, new float[2], 0, 1, default, default, new float[100]));
    }

    private sealed record Outputs(float[] Y, float[] Yh, float[] Yc);

    private sealed record DoubleOutputs(double[] Y, double[] Yc);

    private sealed class Case
    {
        private readonly RecurrentCell _cell;
        private readonly int _seq, _batch, _input, _hidden, _g;
        private readonly bool _reverse;
        private readonly float[] _x, _wT, _rT, _bx, _rb;

        public Case(RecurrentCell cell, int seq, int batch, int input, int hidden, bool reverse, bool initial, int seed)
        {
            (_cell, _seq, _batch, _input, _hidden, _reverse) = (cell, seq, batch, input, hidden, reverse);
            _g = Recurrent.GateCount(cell);
            _x = Random(seq * batch * input, seed, -2f, 2f);
            _wT = Random(input * _g * hidden, seed + 1, -0.6f, 0.6f);
            _rT = Random(hidden * _g * hidden, seed + 2, -0.6f, 0.6f);
            _bx = Random(_g * hidden, seed + 3, -0.5f, 0.5f);
            _rb = cell is RecurrentCell.Gru or RecurrentCell.GruLinearBeforeReset ? Random(_g * hidden, seed + 4, -0.5f, 0.5f) : [];
            H0 = initial ? Random(batch * hidden, seed + 5) : [];
            C0 = initial && cell == RecurrentCell.Lstm ? Random(batch * hidden, seed + 6) : [];
        }

        public float[] H0 { get; }

        public float[] C0 { get; }

        public Outputs Run(IsaLevel isa, int threads)
        {
            // Direction slot 1 of 2, so the strided Y layout is exercised too.
            var y = new float[_seq * 2 * _batch * _hidden];
            var yh = new float[_batch * _hidden];
            var yc = new float[_cell == RecurrentCell.Lstm ? _batch * _hidden : 0];
            var scratch = new float[Recurrent.ScratchLength(_cell, _seq, _batch, _hidden)];
            Recurrent.Sequence(isa, _cell, _seq, _batch, _input, _hidden, _x, _wT, _rT, _bx, _rb, H0, C0, _reverse,
                y, 1, 2, yh, yc, scratch, threads);
            return new Outputs(y, yh, yc);
        }

        public DoubleOutputs Reference()
        {
            int h = _hidden, gh = _g * h;
            var y = new double[_seq * 2 * _batch * h];
            var cOut = new double[_cell == RecurrentCell.Lstm ? _batch * h : 0];
            for (int b = 0; b < _batch; b++)
            {
                var hp = Enumerable.Range(0, h).Select(j => H0.Length > 0 ? (double)H0[(b * h) + j] : 0d).ToArray();
                var cp = Enumerable.Range(0, h).Select(j => C0.Length > 0 ? (double)C0[(b * h) + j] : 0d).ToArray();
                for (int s = 0; s < _seq; s++)
                {
                    int t = _reverse ? _seq - 1 - s : s;
                    var xw = new double[gh];
                    var hr = new double[gh];
                    for (int j = 0; j < gh; j++)
                    {
                        xw[j] = _bx[j];
                        for (int k = 0; k < _input; k++)
                        {
                            xw[j] += _x[(((t * _batch) + b) * _input) + k] * (double)_wT[(k * gh) + j];
                        }

                        hr[j] = _rb.Length > 0 ? _rb[j] : 0d;
                        for (int k = 0; k < h; k++)
                        {
                            hr[j] += hp[k] * _rT[(k * gh) + j];
                        }
                    }

                    var hn = new double[h];
                    for (int j = 0; j < h; j++)
                    {
                        switch (_cell)
                        {
                            case RecurrentCell.Rnn:
                                hn[j] = Math.Tanh(xw[j] + hr[j]);
                                break;
                            case RecurrentCell.Lstm:
                                double i = Sig(xw[j] + hr[j]), o = Sig(xw[h + j] + hr[h + j]), f = Sig(xw[(2 * h) + j] + hr[(2 * h) + j]);
                                double g = Math.Tanh(xw[(3 * h) + j] + hr[(3 * h) + j]);
                                cp[j] = (f * cp[j]) + (i * g);
                                hn[j] = o * Math.Tanh(cp[j]);
                                break;
                            default:
                                double z = Sig(xw[j] + hr[j]), r = Sig(xw[h + j] + hr[h + j]);
                                double cand;
                                if (_cell == RecurrentCell.GruLinearBeforeReset)
                                {
                                    cand = Math.Tanh(xw[(2 * h) + j] + (r * hr[(2 * h) + j]));
                                }
                                else
                                {
                                    double acc = _rb[(2 * h) + j];
                                    for (int k = 0; k < h; k++)
                                    {
                                        acc += Sig(xw[h + k] + hr[h + k]) * hp[k] * _rT[(k * gh) + (2 * h) + j];
                                    }

                                    cand = Math.Tanh(xw[(2 * h) + j] + acc);
                                }

                                hn[j] = ((1 - z) * cand) + (z * hp[j]);
                                break;
                        }
                    }

                    hp = hn;
                    for (int j = 0; j < h; j++)
                    {
                        y[(((((t * 2) + 1) * _batch) + b) * h) + j] = hn[j];
                    }
                }

                for (int j = 0; j < cOut.Length / Math.Max(1, _batch); j++)
                {
                    cOut[(b * h) + j] = cp[j];
                }
            }

            return new DoubleOutputs(y, cOut);
        }

        private static double Sig(double v) => 1 / (1 + Math.Exp(-v));
    }
}
