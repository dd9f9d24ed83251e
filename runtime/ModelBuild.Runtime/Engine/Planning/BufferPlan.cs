namespace ModelBuild.Runtime.Engine.Planning;

/// <summary>
/// Which intermediate tensors share a buffer. Lifetimes come from op order alone (a tensor lives from the op that
/// produces it to the last op that reads it), so the assignment holds for every set of input shapes; each shared
/// buffer grows to the largest tensor placed in it (see <see cref="BufferSlot"/>).
/// </summary>
internal sealed class BufferPlan
{
    private BufferPlan(int[] slotOf, int slotCount)
    {
        SlotOf = slotOf;
        SlotCount = slotCount;
    }

    /// <summary>Slot of each tensor, or -1 when the tensor keeps a buffer of its own.</summary>
    public int[] SlotOf { get; }

    public int SlotCount { get; }

    /// <summary>
    /// Greedy interval assignment in op order: an op's outputs take free slots first, then the slots of tensors
    /// whose last reader is this op are released, so an op never writes a buffer it is still reading.
    /// </summary>
    /// <param name="tensorCount">Number of tensors.</param>
    /// <param name="opInputs">Tensor indices each op reads, in execution order.</param>
    /// <param name="opOutputs">Tensor indices each op writes.</param>
    /// <param name="pinned">Tensors that must keep their own buffer (inputs, constants, outputs, observed tensors).</param>
    /// <param name="aliasing">
    /// Per op (optional): true when output 0 holds input 0's elements in the same order (Reshape, ConvertTensor, ...).
    /// Such an output takes input 0's slot when both are unpinned; the slot is then freed only after the last
    /// reader of either, so the op has nothing to copy.
    /// </param>
    public static BufferPlan Build(int tensorCount, int[][] opInputs, int[][] opOutputs, bool[] pinned, bool[]? aliasing = null)
    {
        var lastUse = new int[tensorCount];
        Array.Fill(lastUse, -1);
        for (int op = 0; op < opOutputs.Length; op++)
        {
            foreach (int t in opOutputs[op])
            {
                lastUse[t] = Math.Max(lastUse[t], op);
            }

            foreach (int t in opInputs[op])
            {
                lastUse[t] = Math.Max(lastUse[t], op);
            }
        }

        bool Aliases(int op) => aliasing is not null && aliasing[op] && opInputs[op].Length > 0 && opOutputs[op].Length > 0
            && !pinned[opInputs[op][0]] && !pinned[opOutputs[op][0]] && opInputs[op][0] != opOutputs[op][0];

        // A view's input lives as long as its output (reverse order carries chains of views), then each output
        // gets the extended lifetime of the input it shares a slot with.
        for (int op = opOutputs.Length - 1; op >= 0; op--)
        {
            if (Aliases(op))
            {
                lastUse[opInputs[op][0]] = Math.Max(lastUse[opInputs[op][0]], lastUse[opOutputs[op][0]]);
            }
        }

        for (int op = 0; op < opOutputs.Length; op++)
        {
            if (Aliases(op))
            {
                lastUse[opOutputs[op][0]] = lastUse[opInputs[op][0]];
            }
        }

        var slotOf = new int[tensorCount];
        Array.Fill(slotOf, -1);
        var free = new Stack<int>();
        int slots = 0;
        var releaseAt = new List<int>();
        for (int op = 0; op < opOutputs.Length; op++)
        {
            if (Aliases(op) && slotOf[opInputs[op][0]] >= 0)
            {
                slotOf[opOutputs[op][0]] = slotOf[opInputs[op][0]];
            }

            foreach (int t in opOutputs[op])
            {
                if (!pinned[t] && slotOf[t] < 0)
                {
                    slotOf[t] = free.Count > 0 ? free.Pop() : slots++;
                }
            }

            // Slots, not tensors: a view and its input share one slot and may end at the same op.
            releaseAt.Clear();
            foreach (int t in opInputs[op].Concat(opOutputs[op]))
            {
                if (slotOf[t] >= 0 && lastUse[t] == op && !releaseAt.Contains(slotOf[t]))
                {
                    releaseAt.Add(slotOf[t]);
                }
            }

            foreach (int slot in releaseAt)
            {
                free.Push(slot);
            }
        }

        return new BufferPlan(slotOf, slots);
    }
}
