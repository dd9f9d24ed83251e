using System.Buffers.Binary;

namespace ModelBuild.Runtime.Format;

/// <summary>
/// Bounds-checks an MNN FlatBuffer before the flatc object API unpacks it: starting at the root
/// <c>Net</c> it follows every field the object API reads (tables, union members, strings, vectors and their
/// elements) using the schema layout in <see cref="MnnSchemaLayout"/>, and requires every byte any of
/// them touches to lie inside the buffer. It also bounds the total work (so aliased or cyclic offsets
/// cannot make the unpack explode) and the nesting depth.
/// </summary>
/// <remarks>
/// Google.FlatBuffers' own C# <c>Verifier</c> is not used: in 25.2.10 it rejects valid buffers with tables
/// located past 32 KB (flatbuffers issue 8937). Alignment is not required, since the C# reader does not need it.
/// </remarks>
internal static class MnnBufferChecker
{
    /// <summary>Deeper nesting than this is treated as corrupt (real MNN nets nest a handful of levels).</summary>
    internal const int MaxDepth = 64;

    internal sealed class ViolationException(string message) : Exception(message);

    /// <summary>Throws <see cref="ViolationException"/> describing the first problem found.</summary>
    public static void Check(ReadOnlySpan<byte> buffer)
    {
        var walker = new Walker(buffer);
        walker.Root();
    }

    private ref struct Walker
    {
        private readonly ReadOnlySpan<byte> _buf;
        private readonly long _len;
        private long _budget;

        public Walker(ReadOnlySpan<byte> buf)
        {
            _buf = buf;
            _len = buf.Length;
            // Every table, string and vector element of a non-aliased buffer occupies at least one byte,
            // so a legitimate file never needs more work units than a small multiple of its size.
            _budget = 4 * _len + 65536;
        }

        public void Root()
        {
            if (_len < 8)
                Fail($"buffer of {_len} bytes is too small to hold an MNN net");
            long root = ReadUOffsetTarget(0, "root offset");
            Table(root, MnnSchemaLayout.RootTable, 0, "Net");
        }

        private static void Fail(string message) => throw new ViolationException(message);

        private void Need(long pos, long size, string what)
        {
            if (pos < 0 || size < 0 || pos > _len - size)
                Fail($"{what} at byte {pos} (size {size}) lies outside the {_len}-byte buffer");
        }

        private void Spend(long units, string what)
        {
            _budget -= units;
            if (_budget < 0)
                Fail($"{what}: offsets are aliased or cyclic (work budget exhausted)");
        }

        private int ReadInt32(long pos) => BinaryPrimitives.ReadInt32LittleEndian(_buf.Slice((int)pos, 4));
        private uint ReadUInt32(long pos) => BinaryPrimitives.ReadUInt32LittleEndian(_buf.Slice((int)pos, 4));
        private short ReadInt16(long pos) => BinaryPrimitives.ReadInt16LittleEndian(_buf.Slice((int)pos, 2));

        /// <summary>Reads the uoffset stored at <paramref name="pos"/> and returns the position it points at.</summary>
        private long ReadUOffsetTarget(long pos, string what)
        {
            Need(pos, 4, what);
            long target = pos + ReadUInt32(pos);
            if (target >= _len)
                Fail($"{what} at byte {pos} points to {target}, past the end of the {_len}-byte buffer");
            return target;
        }

        private void Table(long pos, int tableIndex, int depth, string path)
        {
            var layout = MnnSchemaLayout.Tables[tableIndex];
            if (depth > MaxDepth)
                Fail($"{path}: tables nested deeper than {MaxDepth} levels");
            Spend(1, path);
            Need(pos, 4, $"{path} ({layout.Name} table)");
            long vtable = pos - ReadInt32(pos);
            Need(vtable, 4, $"{path} ({layout.Name} vtable)");
            int vtSize = ReadInt16(vtable);
            int tableSize = (ushort)ReadInt16(vtable + 2);
            if (vtSize < 4 || (vtSize & 1) != 0)
                Fail($"{path} ({layout.Name}): invalid vtable size {vtSize}");
            Need(vtable, vtSize, $"{path} ({layout.Name} vtable)");
            Need(pos, Math.Max(tableSize, 4), $"{path} ({layout.Name} table body)");

            foreach (var field in layout.Fields)
            {
                int fieldOffset = FieldOffset(vtable, vtSize, field.Slot);
                if (fieldOffset == 0)
                    continue;
                if (fieldOffset < 4)
                    Fail($"{path} ({layout.Name}): field slot {field.Slot} has invalid offset {fieldOffset}");
                long fpos = pos + fieldOffset;
                string fieldPath = $"{path}.{layout.Name}[slot {field.Slot}]";
                switch (field.Kind)
                {
                    case FieldKind.Scalar:
                        Need(fpos, field.Size, fieldPath);
                        break;
                    case FieldKind.String:
                        String(fpos, fieldPath);
                        break;
                    case FieldKind.Table:
                        Table(ReadUOffsetTarget(fpos, fieldPath), field.Target, depth + 1, fieldPath);
                        break;
                    case FieldKind.Union:
                    {
                        int typeOffset = FieldOffset(vtable, vtSize, field.Slot - 1);
                        if (typeOffset == 0)
                            break; // discriminator absent = NONE: the reader ignores the value
                        if (typeOffset < 4)
                            Fail($"{path} ({layout.Name}): union type slot {field.Slot - 1} has invalid offset {typeOffset}");
                        Need(pos + typeOffset, 1, fieldPath + " union type");
                        int discriminator = _buf[(int)(pos + typeOffset)];
                        var union = MnnSchemaLayout.Unions[field.Target];
                        int member = discriminator < union.MemberTables.Length ? union.MemberTables[discriminator] : -1;
                        if (member < 0)
                            break; // NONE or a member this schema does not know: the reader skips it
                        Table(ReadUOffsetTarget(fpos, fieldPath), member, depth + 1,
                            $"{fieldPath}<{MnnSchemaLayout.Tables[member].Name}>");
                        break;
                    }
                    case FieldKind.ScalarVector:
                    {
                        var (_, count) = Vector(fpos, field.Size, fieldPath);
                        Spend(count, fieldPath);
                        break;
                    }
                    case FieldKind.StringVector:
                    {
                        var (start, count) = Vector(fpos, 4, fieldPath);
                        Spend(count, fieldPath);
                        for (long i = 0; i < count; i++)
                            String(start + 4 * i, $"{fieldPath}[{i}]");
                        break;
                    }
                    case FieldKind.TableVector:
                    {
                        var (start, count) = Vector(fpos, 4, fieldPath);
                        for (long i = 0; i < count; i++)
                        {
                            string elementPath = $"{fieldPath}[{i}]";
                            Table(ReadUOffsetTarget(start + 4 * i, elementPath), field.Target, depth + 1, elementPath);
                        }
                        break;
                    }
                }
            }
        }

        /// <summary>The signed field offset in slot <paramref name="slot"/>, or 0 when the vtable is too short to have it.</summary>
        private int FieldOffset(long vtable, int vtSize, int slot)
        {
            int entry = 4 + 2 * slot;
            if (entry + 2 > vtSize)
                return 0;
            return ReadInt16(vtable + entry);
        }

        private void String(long fieldPos, string what)
        {
            Need(fieldPos, 4, what);
            uint rel = ReadUInt32(fieldPos);
            if (rel == 0)
                return; // the C# reader reads an offset of 0 as a null string
            long pos = fieldPos + rel;
            Need(pos, 4, what + " (string length)");
            uint length = ReadUInt32(pos);
            if (length > _len - pos - 4)
                Fail($"{what}: string of {length} bytes at byte {pos} runs past the end of the {_len}-byte buffer");
            Spend(1 + length / 16, what);
        }

        /// <summary>Checks the vector whose uoffset is at <paramref name="fieldPos"/>; returns its first element's position and its length.</summary>
        private (long Start, long Count) Vector(long fieldPos, int elementSize, string what)
        {
            long pos = ReadUOffsetTarget(fieldPos, what);
            Need(pos, 4, what + " (vector length)");
            long count = ReadUInt32(pos);
            long start = pos + 4;
            if (count * elementSize > _len - start)
                Fail($"{what}: vector of {count} elements x {elementSize} bytes at byte {pos} runs past the end of the {_len}-byte buffer");
            return (start, count);
        }
    }
}
