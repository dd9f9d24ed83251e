namespace ModelBuild;

/// <summary>
/// The one exception type ModelBuild raises for anything a user can cause: bad files, unsupported
/// operators, wrong shapes. <see cref="Code"/> is a stable <c>MB####</c> code (see <see cref="ErrorCodes"/>)
/// that tools print as <c>MB####: message</c> and MSBuild turns into a coded error.
/// </summary>
public sealed class ModelBuildException : Exception
{
    public ModelBuildException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The stable error code, e.g. <c>MB1001</c>.</summary>
    public string Code { get; }

    /// <summary><c>MB####: message</c>, the form printed on stderr.</summary>
    public override string ToString() => $"{Code}: {Message}";
}
