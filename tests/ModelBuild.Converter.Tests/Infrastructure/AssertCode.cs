namespace ModelBuild.Converter.Tests.Infrastructure;

public static class AssertCode
{
    /// <summary>Runs the action and asserts it throws a ModelBuildException with the given code.</summary>
    public static ModelBuildException Throws(string code, Action action)
    {
        try
        {
            action();
        }
        catch (ModelBuildException e)
        {
            Assert.AreEqual(code, e.Code, $"wrong code: {e}");
            return e;
        }

        Assert.Fail($"expected ModelBuildException {code}, nothing was thrown");
        return null!;
    }
}
