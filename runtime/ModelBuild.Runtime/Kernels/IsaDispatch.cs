using System.Runtime.Intrinsics;

namespace ModelBuild.Runtime.Kernels;

/// <summary>A kernel body written once over the vector width (see <see cref="IsaDispatch"/>).</summary>
internal interface IWidthBody
{
    void Run<TV, S>()
        where TV : struct
        where S : struct, ISimd<TV>;
}

/// <summary>
/// The one level → (TV, S) switch for bodies written as <see cref="IWidthBody"/> structs (the JIT specialises the
/// struct call, so there is no interface dispatch in the loop).
/// </summary>
internal static class IsaDispatch
{
    public static void Run<TBody>(IsaLevel level, ref TBody body)
        where TBody : struct, IWidthBody
    {
        switch (KernelIsa.Clamp(level))
        {
            case IsaLevel.V512: body.Run<Vector512<float>, S512>(); break;
            case IsaLevel.V256: body.Run<Vector256<float>, S256>(); break;
            case IsaLevel.V128: body.Run<Vector128<float>, S128>(); break;
            default: body.Run<float, S1>(); break;
        }
    }
}
