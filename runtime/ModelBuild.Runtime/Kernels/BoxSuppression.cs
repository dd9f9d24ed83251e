namespace ModelBuild.Runtime.Kernels;

/// <summary>
/// Greedy non-maximum suppression over boxes given by opposite corners (y1, x1, y2, x2 in any order), in upstream
/// MNN's float arithmetic. Scalar by nature (each decision depends on the ones before), so one code path serves
/// every ISA level and the result never depends on width or threads.
/// </summary>
internal static class BoxSuppression
{
    /// <summary>
    /// Writes into <paramref name="kept"/> the indices of the boxes kept, by descending score (ties by lower
    /// index), taking only scores &gt; <paramref name="scoreThreshold"/> and dropping a box whose IoU with a kept one
    /// exceeds <paramref name="iouThreshold"/>; stops when <paramref name="kept"/> is full. <paramref name="order"/>
    /// is caller-owned scratch of at least <c>scores.Length</c> entries. Returns the number kept.
    /// </summary>
    public static int Select(ReadOnlySpan<float> boxes, float[] scores, float iouThreshold, float scoreThreshold, Span<int> order, Span<int> kept)
    {
        if (boxes.Length < scores.Length * 4 || order.Length < scores.Length)
        {
            throw new ArgumentException("boxes must hold 4 values per score and order one entry per score");
        }

        int candidates = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] > scoreThreshold)
            {
                order[candidates++] = i;
            }
        }

        var ranked = order[..candidates];
        ranked.Sort(new ByScoreThenIndex(scores));
        int count = 0;
        foreach (var candidate in ranked)
        {
            if (count == kept.Length)
            {
                break;
            }

            bool keep = true;
            for (int j = count - 1; j >= 0 && keep; j--)
            {
                keep = Iou(boxes, candidate, kept[j]) <= iouThreshold;
            }

            if (keep)
            {
                kept[count++] = candidate;
            }
        }

        return count;
    }

    /// <summary>Intersection over union of boxes <paramref name="i"/> and <paramref name="j"/>; 0 when either is empty.</summary>
    public static float Iou(ReadOnlySpan<float> b, int i, int j)
    {
        float yMinI = MathF.Min(b[i * 4], b[i * 4 + 2]), xMinI = MathF.Min(b[i * 4 + 1], b[i * 4 + 3]);
        float yMaxI = MathF.Max(b[i * 4], b[i * 4 + 2]), xMaxI = MathF.Max(b[i * 4 + 1], b[i * 4 + 3]);
        float yMinJ = MathF.Min(b[j * 4], b[j * 4 + 2]), xMinJ = MathF.Min(b[j * 4 + 1], b[j * 4 + 3]);
        float yMaxJ = MathF.Max(b[j * 4], b[j * 4 + 2]), xMaxJ = MathF.Max(b[j * 4 + 1], b[j * 4 + 3]);
        float areaI = (yMaxI - yMinI) * (xMaxI - xMinI);
        float areaJ = (yMaxJ - yMinJ) * (xMaxJ - xMinJ);
        if (areaI <= 0f || areaJ <= 0f)
        {
            return 0f;
        }

        float intersection = MathF.Max(MathF.Min(yMaxI, yMaxJ) - MathF.Max(yMinI, yMinJ), 0f)
            * MathF.Max(MathF.Min(xMaxI, xMaxJ) - MathF.Max(xMinI, xMinJ), 0f);
        return intersection / (areaI + areaJ - intersection);
    }

    /// <summary>Descending score, ties by ascending index (ONNX Runtime's order; a struct so sorting allocates nothing).</summary>
    private readonly struct ByScoreThenIndex(float[] scores) : IComparer<int>
    {
        public int Compare(int a, int b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b);
    }
}
