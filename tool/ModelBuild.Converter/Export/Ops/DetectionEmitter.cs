using ModelBuild.Converter.Graph;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Converter.Export.Ops;

/// <summary>
/// NonMaxSuppression → one NonMaxSuppressionV2 per (batch, class), as upstream's onnxextra writes it, each followed
/// by what makes the result ONNX's: the −1 padding upstream's op leaves after the kept boxes is dropped (Where of
/// index &gt; −1, Gather), and the [batch, class, box] rows are built with Fill and Concat. center_point_box = 1
/// boxes are turned into corners first (upstream's converter ignores the attribute).
/// </summary>
internal static class DetectionEmitter
{
    public static void Register(OpEmitterTable t) => t.Add("NonMaxSuppression", 10, NonMaxSuppression);

    private static void NonMaxSuppression(ExportContext ctx, Node n)
    {
        var boxesShape = ctx.RequireStaticShape(n, 0, "write one suppression per batch and class");
        var scoresShape = ctx.RequireStaticShape(n, 1, "write one suppression per batch and class");
        if (boxesShape is not [var batches, var count, 4] || scoresShape is not [var scoreBatches, var classes, var scoreCount]
            || scoreBatches != batches || scoreCount != count)
        {
            throw ctx.Invalid(n, $"boxes [{string.Join(",", boxesShape)}] and scores [{string.Join(",", scoresShape)}] must be [B, N, 4] and [B, C, N]");
        }

        if (batches * classes > 4096)
        {
            throw ctx.UnsupportedAttribute(n, $"{batches} batches × {classes} classes (one op each; more than 4096 would bloat the file)");
        }

        var center = n.GetInt("center_point_box", 0);
        if (center is not (0 or 1))
        {
            throw ctx.Invalid(n, $"center_point_box must be 0 or 1, is {center}");
        }

        var name = n.Out0();
        var thresholds = new List<int>
        {
            n.HasInput(2) ? ctx.In(n, 2) : ctx.ConstInts(name + "/max_output", [0]),
            n.HasInput(3) ? ctx.In(n, 3) : ctx.ConstFloats(name + "/iou_threshold", [0f]),
        };
        if (n.HasInput(4))
        {
            thresholds.Add(ctx.In(n, 4)); // absent: no score threshold (upstream would default it to 0)
        }

        var rows = new List<int>();
        for (var b = 0; b < batches; b++)
        {
            var at = $"{name}/b{b}";
            var boxes = Pick(ctx, at + "/boxes", ctx.In(n, 0), b);
            if (center == 1)
            {
                boxes = Corners(ctx, at, boxes);
            }

            var scores = Pick(ctx, at + "/scores", ctx.In(n, 1), b);
            for (var c = 0; c < classes; c++)
            {
                var cls = $"{at}/c{c}";
                var kept = ctx.AddTemp(OpType.NonMaxSuppressionV2, cls + "/nms", null, [boxes, Pick(ctx, cls + "/scores", scores, c), .. thresholds]);
                var valid = ctx.Binary(cls + "/valid", BinaryOpOperation.GREATER, kept, ctx.ConstInts(cls + "/minus_one", [-1]));
                var positions = ctx.AddTemp(OpType.Reshape, cls + "/positions", MnnParams.Reshape([-1]),
                    ctx.AddTemp(OpType.Where, cls + "/where", OpParameterUnion.FromExtra(new ExtraT()), valid));
                var indices = ctx.Unsqueeze(cls + "/indices", ctx.AddTemp(OpType.GatherV2, cls + "/kept", MnnParams.GatherV2(), kept, positions, ctx.ConstInts(cls + "/axis", [0])), 1);
                var shape = ctx.Shape(cls + "/shape", indices);
                var batchColumn = ctx.AddTemp(OpType.Fill, cls + "/batch", null, shape, ctx.ConstInts(cls + "/batch_index", [b]));
                var classColumn = ctx.AddTemp(OpType.Fill, cls + "/class", null, shape, ctx.ConstInts(cls + "/class_index", [c]));
                rows.Add(ctx.AddTemp(OpType.Concat, cls + "/rows", MnnParams.Axis(1), batchColumn, classColumn, indices));
            }
        }

        ctx.Final(n, OpType.Concat, MnnParams.Axis(0), [.. rows]);
    }

    /// <summary>x[index] along axis 0 (the axis dropped).</summary>
    private static int Pick(ExportContext ctx, string name, int x, int index) =>
        ctx.AddTemp(OpType.GatherV2, name, MnnParams.GatherV2(), x, ctx.ConstInts(name + "/index", [index]), ctx.ConstInts(name + "/axis", [0]));

    /// <summary>[x_center, y_center, width, height] → [y1, x1, y2, x2].</summary>
    private static int Corners(ExportContext ctx, string name, int boxes)
    {
        var half = ctx.ConstFloats(name + "/half", [0.5f]);
        int Column(int i) => ctx.SliceAxis($"{name}/col{i}", boxes, 1, i, i + 1);
        var (xc, yc) = (Column(0), Column(1));
        var halfW = ctx.Binary(name + "/half_w", BinaryOpOperation.MUL, Column(2), half);
        var halfH = ctx.Binary(name + "/half_h", BinaryOpOperation.MUL, Column(3), half);
        return ctx.AddTemp(OpType.Concat, name + "/corners", MnnParams.Axis(1),
            ctx.Binary(name + "/y1", BinaryOpOperation.SUB, yc, halfH),
            ctx.Binary(name + "/x1", BinaryOpOperation.SUB, xc, halfW),
            ctx.Binary(name + "/y2", BinaryOpOperation.ADD, yc, halfH),
            ctx.Binary(name + "/x2", BinaryOpOperation.ADD, xc, halfW));
    }
}
