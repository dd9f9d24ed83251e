using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Engine.Operators;

/// <summary>
/// Executes one MNN op. An instance is created once per op when a session is built (constructor receives the
/// op's unpacked parameters and may pre-pack weights); then, per run, the engine calls <see cref="Reshape"/>
/// (only when input shapes changed since the last run, or when the op reads input values) followed by
/// <see cref="Execute"/>. Implementations are sealed classes marked with <see cref="MnnOperatorAttribute"/> and
/// have a constructor taking the op (<c>ctor(OpT op)</c>, preferred) or no arguments; the engine's
/// <c>OperatorRegistry</c> finds them by reflection. A constructor that rejects the op's parameters throws
/// ModelBuildException (MB3002 unsupported attribute, MB1103 malformed op); this happens at session creation.
/// Output tensors handed to an executor may share their buffers with other (non-overlapping-lifetime) tensors,
/// so an executor must not keep references to tensor spans between calls, and must fully write its outputs.
/// </summary>
internal abstract class OperatorExecutor
{
    /// <summary>
    /// Sets every output's shape and element type with <c>ctx.Outputs[i].Reshape(shape, type)</c>.
    /// May read input values (e.g. a Reshape's shape tensor). Throws ModelBuildException (MB4001/MB4004)
    /// when input shapes are incompatible.
    /// </summary>
    public abstract void Reshape(OpContext ctx);

    /// <summary>Computes the outputs. Shapes are those set by the last <see cref="Reshape"/>.</summary>
    public abstract void Execute(OpContext ctx);

    /// <summary>
    /// True when output shapes depend on input VALUES (Reshape with a shape input, Shape, Range, ...), so the
    /// engine must call Reshape on every run, after the inputs are computed.
    /// </summary>
    public virtual bool ShapeDependsOnInputValues => false;

    /// <summary>
    /// For an op whose shape depends on input values: true when <see cref="Reshape"/> reads the values of inputs 1..
    /// only (shape, axes, permutation, pads: small parameter tensors) and keeps nothing else that depends on
    /// values. The engine then calls Reshape only when an input's shape or type, or the value of an input 1.., differs
    /// from the previous run (a Reshape or Slice re-planned per run cost allocations and time on small models).
    /// </summary>
    public virtual bool ShapeReadsOnlyParameterValues => false;

    /// <summary>
    /// Whether <see cref="Reshape"/> reads the values of input <paramref name="input"/>. Planning shapes without a
    /// run (<see cref="MnnModel.Outputs"/>) can reshape such an op only when those values are known. Default: every
    /// input of an op whose shape depends on values (inputs 1.. with <see cref="ShapeReadsOnlyParameterValues"/>).
    /// </summary>
    public virtual bool ShapeReadsValueOf(int input) => ShapeDependsOnInputValues && (!ShapeReadsOnlyParameterValues || input > 0);

    /// <summary>
    /// True when output 0 holds input 0's elements in the same order (a view). The buffer plan may then give the
    /// output the input's buffer, and <see cref="Execute"/> must leave it as it is when the buffers are the same.
    /// </summary>
    public virtual bool OutputMayAliasInput => false;
}

/// <summary>Per-op view the engine hands to an executor.</summary>
internal sealed class OpContext
{
    public OpContext(string opName, Tensor[] inputs, Tensor[] outputs)
    {
        OpName = opName;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string OpName { get; }

    public Tensor[] Inputs { get; }

    public Tensor[] Outputs { get; }

    public IsaLevel Isa { get; set; }

    /// <summary>Threads the op may use (1 = run on the calling thread only).</summary>
    public int Threads { get; set; } = 1;

    public ModelBuildException Error(string message) =>
        new(ErrorCodes.RuntimeShapeMismatch, $"op '{OpName}': {message}");
}

/// <summary>
/// Registers an executor class for one or more MNN op types: <c>[MnnOperator(OpType.Reshape)]</c> (preferred) or by
/// the OpType enum's numeric value.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
internal sealed class MnnOperatorAttribute : Attribute
{
    public MnnOperatorAttribute(params int[] opTypes)
    {
        OpTypes = opTypes;
    }

    public MnnOperatorAttribute(params ModelBuild.Runtime.Format.Schema.OpType[] opTypes)
    {
        OpTypes = Array.ConvertAll(opTypes, t => (int)t);
    }

    public int[] OpTypes { get; }
}
