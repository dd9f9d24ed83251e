namespace ModelBuild.Converter.Graph.Passes;

/// <summary>
/// Builds, with ordinary ONNX ops, the [out, in] interpolation matrix of one resized axis as ONNX's reference
/// Resize defines it: the output length and scale (from scales, sizes, or keep_aspect_ratio_policy's single scale),
/// each output's source coordinate x by the coordinate_transformation_mode, then its weights over the input
/// positions j: nearest = one-hot at the rounded, clamped x; linear = tent at x clamped into the input; cubic and
/// antialiased linear = the kernel at (x − j)·min(scale, 1) over positions padded beyond both edges (normalized when
/// antialiased), the padding then folded onto the edge pixels (ONNX's edge padding) or, with exclude_outside, dropped
/// and the weights renormalized. Constant operands give constants (the axis is skipped when it is the identity);
/// run-time ones give the ops that compute the matrix on every run.
/// </summary>
internal sealed class ResizeWeights
{
    private readonly ModelGraph _g;
    private readonly Node _n;
    private readonly NodeWriter _w;
    private readonly long[] _extents;
    private readonly string _mode;
    private readonly string _ctm;
    private readonly bool _antialias;
    private readonly bool _exclude;
    private readonly string _policy;
    private readonly TensorData? _scales;
    private readonly TensorData? _sizes;
    private readonly bool _fromSizes;
    private (string Name, double? Value)? _policyScale;

    public ResizeWeights(ModelGraph g, Node n, NodeWriter w, long[] extents)
    {
        (_g, _n, _w, _extents) = (g, n, w, extents);
        _mode = n.GetString("mode", "nearest");
        _ctm = n.GetString("coordinate_transformation_mode", "half_pixel");
        _antialias = n.GetInt("antialias", 0) != 0 && _mode != "nearest";
        _exclude = n.GetInt("exclude_outside", 0) != 0;
        _policy = n.GetString("keep_aspect_ratio_policy", "stretch");
        _fromSizes = ResizeLowering.Provided(g, n, 3);
        _scales = _fromSizes ? null : g.ConstantInput(n, 2);
        _sizes = _fromSizes ? g.ConstantInput(n, 3) : null;
        var count = g.ConstantInput(n, _fromSizes ? 3 : 2)?.ElementCount
            ?? (g.Values.GetValueOrDefault(n.Inputs[_fromSizes ? 3 : 2])?.Shape is { Length: 1 } operand ? operand[0].Value : null);
        if (count is { } c && c != extents.Length)
        {
            throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{g.Describe(n)}: {(_fromSizes ? "sizes" : "scales")} has {c} values for {extents.Length} resized axes");
        }
    }

    /// <summary>The matrix of the k-th resized axis and, for tf_crop_and_resize, its [out, 1] inside-the-roi mask; null for an identity axis.</summary>
    public (string Matrix, string? Keep)? Build(int k)
    {
        var length = _extents[k];
        var (scale, outLength, outWidth, constScale, constOut) = ScaleAndLength(k, length);
        if (constScale == 1 && constOut == length && _ctm is not ("tf_half_pixel_for_nn" or "tf_crop_and_resize"))
        {
            return null;
        }

        var positions = _w.Add("Reshape", [_w.Add("Range", [F("zero", 0), outLength, F("step", 1)]), _w.Ints("column", -1, 1)]);
        var (x, keep) = SourceCoordinates(k, positions, scale, outLength, outWidth, length);
        var matrix = _mode switch
        {
            "nearest" => Nearest(x, length),
            "linear" when !_antialias => Tent(Clamp(x, length), length),
            _ => Kernel(keep is null ? x : Clamp(x, length), scale, constScale, length),
        };
        return (keep is null ? matrix : _w.Add("Mul", [matrix, keep]), keep);
    }

    /// <summary>Scale, output length (float), unrounded output width scale·in (as ONNX's reference divides by it), and their constant values.</summary>
    private (string Scale, string OutLength, string OutWidth, double? ConstScale, long? ConstOut) ScaleAndLength(int k, long length)
    {
        if (_fromSizes && _policy != "stretch")
        {
            // One scale for every resized axis: the smallest (not_larger) or largest (not_smaller) size ratio; lengths round half up.
            var (s, value) = _policyScale ??= PolicyScale();
            if (value is { } v)
            {
                var width = v * length;
                var o = (long)Math.Floor(width + 0.5);
                return (F("scale", (float)v), F("out", o), F("width", (float)width), v, o);
            }

            var widthNode = _w.Add("Mul", [s, F("in", length)]);
            return (s, _w.Add("Floor", [_w.Add("Add", [widthNode, F("half", 0.5f)])]), widthNode, null, null);
        }

        if (_fromSizes)
        {
            if (_sizes is not null)
            {
                var o = _sizes.GetLong(k);
                return (F("scale", (float)((double)o / length)), F("out", o), F("width", o), (double)o / length, o);
            }

            var outLength = _w.Add("Cast", [Element(3, k)], null, ("to", 1L));
            return (_w.Add("Div", [outLength, F("in", length)]), outLength, outLength, null, null);
        }

        if (_scales is not null)
        {
            var s = (float)_scales.GetDouble(k);
            if (!(s > 0 && float.IsFinite(s)))
            {
                throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{_g.Describe(_n)}: scale {s} must be positive and finite");
            }

            var width = (double)s * length;
            return (F("scale", s), F("out", (long)Math.Floor(width)), F("width", (float)width), s, (long)Math.Floor(width));
        }

        var scale = Element(2, k);
        var w = _w.Add("Mul", [scale, F("in", length)]);
        return (scale, _w.Add("Floor", [w]), w, null, null);
    }

    private (string, double?) PolicyScale()
    {
        if (_sizes is not null)
        {
            var ratios = _extents.Select((l, i) => (double)_sizes.GetLong(i) / l).ToArray();
            var v = _policy == "not_larger" ? ratios.Min() : ratios.Max();
            return (F("scale", (float)v), v);
        }

        var terms = _extents.Select((l, i) => _w.Add("Div", [_w.Add("Cast", [Element(3, i)], null, ("to", 1L)), F("in", l)])).ToArray();
        return (terms.Length == 1 ? terms[0] : _w.Add(_policy == "not_larger" ? "Min" : "Max", terms), null);
    }

    /// <summary>x per output position ([out, 1]) and, for tf_crop_and_resize, the mask of positions inside the input.</summary>
    private (string X, string? Keep) SourceCoordinates(int k, string o, string s, string outLength, string outWidth, long length)
    {
        string HalfPixel() => _w.Add("Sub", [_w.Add("Div", [_w.Add("Add", [o, F("half", 0.5f)]), s]), F("half", 0.5f)]);
        string WidthIsOne() => _w.Add("Equal", [outWidth, F("one", 1)]);
        switch (_ctm)
        {
            case "half_pixel":
                return (HalfPixel(), null);
            case "pytorch_half_pixel":
                return (_w.Add("Where", [WidthIsOne(), F("minus_half", -0.5f), HalfPixel()]), null);
            case "asymmetric":
                return (_w.Add("Div", [o, s]), null);
            case "tf_half_pixel_for_nn":
                return (_w.Add("Div", [_w.Add("Add", [o, F("half", 0.5f)]), s]), null);
            case "align_corners":
            {
                var step = _w.Add("Div", [F("in_minus_1", length - 1), _w.Add("Sub", [outWidth, F("one", 1)])]);
                return (_w.Add("Where", [WidthIsOne(), F("zero", 0), _w.Add("Mul", [o, step])]), null);
            }

            case "half_pixel_symmetric":
            {
                // offset = in/2 · (1 − out/width): centres the rounded output on the unrounded one.
                var adjustment = _w.Add("Div", [outLength, outWidth]);
                var offset = _w.Add("Mul", [_w.Add("Sub", [F("one", 1), adjustment]), F("centre", length / 2f)]);
                return (_w.Add("Add", [offset, HalfPixel()]), null);
            }

            case "tf_crop_and_resize":
            {
                if (!_n.HasInput(1))
                {
                    throw new ModelBuildException(ErrorCodes.OnnxInvalidGraph, $"{_g.Describe(_n)}: tf_crop_and_resize needs roi (input 1)");
                }

                var start = RoiElement(k);
                var end = RoiElement(k + _extents.Length);
                var span = _w.Add("Mul", [_w.Add("Sub", [end, start]), F("in_minus_1", length - 1)]);
                var single = _w.Add("Div", [span, F("two", 2)]);
                var spread = _w.Add("Mul", [o, _w.Add("Div", [span, _w.Add("Sub", [outWidth, F("one", 1)])])]);
                var x = _w.Add("Add", [_w.Add("Where", [WidthIsOne(), single, spread]), _w.Add("Mul", [start, F("in_minus_1", length - 1)])]);
                var belowStart = _w.Add("Less", [x, F("zero", 0)]);
                var pastEnd = _w.Add("Greater", [x, F("in_minus_1", length - 1)]);
                var keep = _w.Add("Mul", [Bool01(_w.Add("Not", [belowStart])), Bool01(_w.Add("Not", [pastEnd]))]);
                return (x, keep);
            }

            default:
                throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"unsupported attribute value for operator Resize (opset {_g.Opset}) at node '{_n.Name}' in {_g.SourcePath}: coordinate_transformation_mode='{_ctm}'");
        }
    }

    /// <summary>One-hot at the rounded source index, clamped into the input (ONNX pads by the edge pixels).</summary>
    private string Nearest(string x, long length)
    {
        var rounded = _n.GetString("nearest_mode", "round_prefer_floor") switch
        {
            "round_prefer_floor" => _w.Add("Ceil", [_w.Add("Sub", [x, F("half", 0.5f)])]),
            "round_prefer_ceil" => _w.Add("Floor", [_w.Add("Add", [x, F("half", 0.5f)])]),
            "floor" => _w.Add("Floor", [x]),
            "ceil" => _w.Add("Ceil", [x]),
            var other => throw new ModelBuildException(ErrorCodes.UnsupportedAttribute, $"unsupported attribute value for operator Resize (opset {_g.Opset}) at node '{_n.Name}' in {_g.SourcePath}: nearest_mode='{other}'"),
        };
        return Bool01(_w.Add("Equal", [Clamp(rounded, length), Row("positions", 0, length)]));
    }

    /// <summary>max(0, 1 − |x − j|) over the input positions: linear interpolation with x already inside the input.</summary>
    private string Tent(string x, long length) =>
        _w.Add("Relu", [_w.Add("Sub", [F("one", 1), _w.Add("Abs", [_w.Add("Sub", [x, Row("positions", 0, length)])])])]);

    /// <summary>Cubic (or antialiased linear) kernel weights over padded positions, folded or dropped at the edges.</summary>
    private string Kernel(string x, string scale, double? constScale, long length)
    {
        var cubic = _mode == "cubic";
        var support = cubic ? 2.0 : 1.0;
        // Reach of the kernel beyond x in input pixels: support / min(scale, 1) for antialiasing; at run time the
        // scale is at least 1/in (the output has one element or more), which bounds it.
        var reach = !_antialias ? support : constScale is { } cs ? support / Math.Min(cs, 1) : support * length;
        var pad = (long)Math.Ceiling(reach) + 1;
        var padded = length + (2 * pad);
        var distance = _w.Add("Abs", [_w.Add("Sub", [x, Row("padded_positions", -pad, padded)])]);
        if (_antialias && constScale is not >= 1)
        {
            var shrink = constScale is { } c ? F("kernel_scale", (float)c) : _w.Add("Min", [scale, F("one", 1)]);
            distance = _w.Add("Mul", [distance, shrink]);
        }

        var weights = cubic ? Cubic(distance) : _w.Add("Relu", [_w.Add("Sub", [F("one", 1), distance])]);
        if (_antialias)
        {
            weights = _w.Add("Div", [weights, RowSum(weights, padded)]);
        }

        var fold = new float[padded * length];
        for (var j = 0L; j < padded; j++)
        {
            var source = j - pad;
            if (!_exclude || (source >= 0 && source < length))
            {
                fold[(j * length) + Math.Clamp(source, 0, length - 1)] = 1f;
            }
        }

        var matrix = _w.Add("MatMul", [weights, _w.Const("edge_fold", new TensorData(DataType.Float, [padded, length], fold))]);
        return _exclude ? _w.Add("Div", [matrix, RowSum(matrix, length)]) : matrix;
    }

    /// <summary>Keys' cubic kernel with coefficient a at distance t ≥ 0 (zero from 2 on).</summary>
    private string Cubic(string t)
    {
        var a = _n.GetFloat("cubic_coeff_a", -0.75f);
        var t2 = _w.Add("Mul", [t, t]);
        var near = _w.Add("Add", [_w.Add("Mul", [_w.Add("Sub", [_w.Add("Mul", [t, F("a_plus_2", a + 2)]), F("a_plus_3", a + 3)]), t2]), F("one", 1)]);
        var farInner = _w.Add("Add", [_w.Add("Mul", [_w.Add("Sub", [_w.Add("Mul", [t, F("a", a)]), F("five_a", 5 * a)]), t]), F("eight_a", 8 * a)]);
        var far = _w.Add("Sub", [_w.Add("Mul", [farInner, t]), F("four_a", 4 * a)]);
        var outer = _w.Add("Where", [_w.Add("Less", [t, F("two", 2)]), far, F("zero", 0)]);
        return _w.Add("Where", [_w.Add("Greater", [t, F("one", 1)]), outer, near]);
    }

    private string RowSum(string m, long columns) =>
        _w.Add("MatMul", [m, _w.Const("ones", new TensorData(DataType.Float, [columns, 1], Enumerable.Repeat(1f, (int)columns).ToArray()))]);

    private string Clamp(string v, long length) => _w.Add("Min", [_w.Add("Max", [v, F("zero", 0)]), F("in_minus_1", length - 1)]);

    private string Bool01(string b) => _w.Add("Cast", [b], null, ("to", 1L));

    /// <summary>[1, count] row of the positions first, first + 1, ….</summary>
    private string Row(string stem, long first, long count) =>
        _w.Const(stem, new TensorData(DataType.Float, [1, count], Enumerable.Range(0, (int)count).Select(i => (float)(first + i)).ToArray()));

    /// <summary>Element <paramref name="k"/> of scales or sizes (input <paramref name="input"/>) as a scalar.</summary>
    private string Element(int input, int k) => _w.Add("Gather", [_n.Inputs[input], _w.ScalarInt("index", k)], null, ("axis", 0L));

    private string RoiElement(int k)
    {
        if (_g.ConstantInput(_n, 1) is { } roi)
        {
            return F("roi", (float)roi.GetDouble(k));
        }

        var e = Element(1, k);
        return _g.Values.GetValueOrDefault(_n.Inputs[1])?.Type is DataType.Float ? e : _w.Add("Cast", [e], null, ("to", 1L));
    }

    private string F(string stem, float value) => _w.Scalar(stem, value);
}
