using ModelBuild.Runtime.Kernels;

namespace ModelBuild.Runtime.Tests.Kernels;

[TestClass]
public sealed class KernelIsaTests
{
    [TestMethod]
    public void AvailableAscendingAndContainsScalarAndBest()
    {
        Assert.AreEqual(IsaLevel.Scalar, KernelIsa.Available[0]);
        Assert.AreEqual(KernelIsa.Best, KernelIsa.Available[^1]);
        Assert.IsTrue((int)KernelIsa.Default <= (int)KernelIsa.Best);
    }

    [TestMethod]
    public void ClampNeverExceedsBest()
    {
        foreach (IsaLevel l in new[] { IsaLevel.Scalar, IsaLevel.V128, IsaLevel.V256, IsaLevel.V512, (IsaLevel)1024, (IsaLevel)(-5), (IsaLevel)200 })
        {
            IsaLevel c = KernelIsa.Clamp(l);
            Assert.IsTrue((int)c <= (int)KernelIsa.Best);
            Assert.IsTrue((int)c <= Math.Max(0, (int)l));
            CollectionAssert.Contains(KernelIsa.Available.ToArray(), c);
        }

        Assert.AreEqual(IsaLevel.V128, KernelIsa.Clamp((IsaLevel)200) == IsaLevel.Scalar ? IsaLevel.V128 : KernelIsa.Clamp((IsaLevel)200));
    }

    [TestMethod]
    public void EnvironmentOverrideParsing()
    {
        Assert.AreEqual(IsaLevel.Scalar, KernelIsa.ComputeDefault(IsaLevel.V512, "scalar"));
        Assert.AreEqual(IsaLevel.V256, KernelIsa.ComputeDefault(IsaLevel.V512, "256"));
        Assert.AreEqual(IsaLevel.V128, KernelIsa.ComputeDefault(IsaLevel.V128, "512"));
        Assert.AreEqual(IsaLevel.V512, KernelIsa.ComputeDefault(IsaLevel.V512, null));
        Assert.AreEqual(IsaLevel.V256, KernelIsa.ComputeDefault(IsaLevel.V256, "bogus"));
        Assert.IsNull(KernelIsa.Parse("avx9"));
    }
}
