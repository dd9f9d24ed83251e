using Google.FlatBuffers;
using ModelBuild.Runtime.Format.Schema;

namespace ModelBuild.Runtime.Format;

/// <summary>
/// Serializes a <see cref="NetT"/> to MNN's FlatBuffers format exactly as upstream does: root table <c>Net</c>,
/// finished without a file identifier or size prefix, default values omitted. The output depends only on
/// the <see cref="NetT"/> content, so the same net always gives the same bytes.
/// </summary>
internal static class MnnModelWriter
{
    public static byte[] Serialize(NetT net)
    {
        ArgumentNullException.ThrowIfNull(net);
        try
        {
            CheckUnions(net);
            var builder = new FlatBufferBuilder(1 << 16);
            var root = Net.Pack(builder, net);
            builder.Finish(root.Value); // upstream: builder.Finish(net) -- no file identifier
            return builder.SizedByteArray();
        }
        catch (ModelBuildException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException
                                      or IndexOutOfRangeException or NullReferenceException or OutOfMemoryException
                                      or InvalidCastException)
        {
            throw new ModelBuildException(ErrorCodes.MnnWriteFailed,
                $"cannot serialize MNN net: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Serializes <paramref name="net"/> and writes it to <paramref name="path"/> through a temporary file in
    /// the same directory, renamed over the target only once complete; on failure no file is left behind.
    /// </summary>
    public static void WriteFileAtomic(NetT net, string path)
    {
        ArgumentNullException.ThrowIfNull(net);
        WriteFileAtomic(() => Serialize(net), path);
    }

    /// <summary>Writes already serialized model bytes atomically, as <see cref="WriteFileAtomic(NetT, string)"/>.</summary>
    public static void WriteFileAtomic(byte[] bytes, string path)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        WriteFileAtomic(() => bytes, path);
    }

    private static void WriteFileAtomic(Func<byte[]> serialize, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelBuildException(ErrorCodes.MnnWriteFailed, $"{path}: invalid output path: {e.Message}", e);
        }
        string dir = Path.GetDirectoryName(full) ?? ".";
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            byte[] bytes = serialize();
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is ModelBuildException mb)
            {
                if (mb.Code == ErrorCodes.MnnWriteFailed)
                    throw new ModelBuildException(ErrorCodes.MnnWriteFailed, $"{path}: {mb.Message}", mb.InnerException ?? mb);
                throw;
            }
            throw new ModelBuildException(ErrorCodes.MnnWriteFailed, $"{path}: cannot write MNN model: {e.Message}", e);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            if (File.Exists(file))
                File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort: the original error is what matters
        }
    }

    /// <summary>
    /// flatc's union packer silently drops a value whose class does not match the discriminator, which would
    /// write a file upstream MNN rejects; catch that here instead.
    /// </summary>
    private static void CheckUnions(NetT net)
    {
        if (net.Oplists != null)
            foreach (var op in net.Oplists)
                CheckOp(op, 0);
        if (net.Subgraphs != null)
            foreach (var graph in net.Subgraphs)
                if (graph?.Nodes != null)
                    foreach (var op in graph.Nodes)
                        CheckOp(op, 0);
    }

    private static void CheckOp(OpT? op, int depth)
    {
        if (op?.Main == null || depth > MnnBufferChecker.MaxDepth)
            return;
        var union = op.Main;
        if (union.Type == OpParameter.NONE)
        {
            if (union.Value != null)
                throw Mismatch(op, $"has a {union.Value.GetType().Name} parameter but OpParameter type NONE");
            return;
        }
        if (union.Value == null)
            throw Mismatch(op, $"has OpParameter type {union.Type} but no parameter value");
        string expected = union.Type + "T";
        if (union.Value.GetType().Name != expected)
            throw Mismatch(op, $"has OpParameter type {union.Type} but a {union.Value.GetType().Name} value (expected {expected})");
        if (union.Value is LoopParamT loop)
        {
            foreach (var list in new[] { loop.Commands, loop.InitCommand })
                if (list != null)
                    foreach (var command in list)
                        CheckOp(command?.Op, depth + 1);
        }
    }

    private static ModelBuildException Mismatch(OpT op, string what) =>
        new(ErrorCodes.MnnWriteFailed, $"op '{op.Name}' ({op.Type}) {what}");
}
