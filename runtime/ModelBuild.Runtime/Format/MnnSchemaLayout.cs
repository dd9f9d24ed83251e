namespace ModelBuild.Runtime.Format;

/// <summary>What a table field holds, as far as bounds checking is concerned.</summary>
internal enum FieldKind : byte
{
    /// <summary>Inline scalar (numbers, bools, enums, a union's discriminator) of <see cref="FieldLayout.Size"/> bytes.</summary>
    Scalar,
    /// <summary>uoffset to a string.</summary>
    String,
    /// <summary>uoffset to a table of type <see cref="FieldLayout.Target"/>.</summary>
    Table,
    /// <summary>uoffset to a union member table; the discriminator is the scalar in the previous slot; <see cref="FieldLayout.Target"/> is the union.</summary>
    Union,
    /// <summary>uoffset to a vector of scalars of <see cref="FieldLayout.Size"/> bytes each.</summary>
    ScalarVector,
    /// <summary>uoffset to a vector of uoffsets to strings.</summary>
    StringVector,
    /// <summary>uoffset to a vector of uoffsets to tables of type <see cref="FieldLayout.Target"/>.</summary>
    TableVector,
}

/// <summary>One vtable slot of a table: slot <c>k</c> lives at vtable byte offset <c>4 + 2k</c>.</summary>
internal readonly record struct FieldLayout(FieldKind Kind, int Slot, int Size, int Target);

internal sealed record TableLayout(string Name, FieldLayout[] Fields);

/// <summary>A union: <see cref="MemberTables"/>[discriminator] is the member's table index (-1 for NONE / unknown).</summary>
internal sealed record UnionLayout(string Name, int[] MemberTables);

/// <summary>
/// The layout of every table in <c>Format/Schema/*.fbs</c>. The data half is generated into
/// <c>MnnSchemaLayout.g.cs</c> by <c>Format/Schema/gen_layout.py</c> together with the flatc output.
/// </summary>
internal static partial class MnnSchemaLayout
{
}
