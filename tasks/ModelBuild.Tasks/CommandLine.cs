using System.Text;

namespace ModelBuild.Tasks;

/// <summary>
/// Quotes arguments for ProcessStartInfo.Arguments (netstandard2.0 has no ArgumentList). .NET parses the string with
/// the Windows CommandLineToArgvW rules on every OS, so one quoting scheme serves all.
/// </summary>
internal static class CommandLine
{
    public static string Join(IEnumerable<string> args)
    {
        var sb = new StringBuilder();
        foreach (var a in args)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            Append(sb, a);
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string arg)
    {
        if (arg.Length > 0 && arg.IndexOfAny([' ', '\t', '\n', '\v', '"']) < 0)
        {
            sb.Append(arg);
            return;
        }

        sb.Append('"');
        var backslashes = 0;
        foreach (var c in arg)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            // backslashes are literal unless they precede a quote: then each must be doubled, and the quote escaped
            sb.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
            backslashes = 0;
            sb.Append(c);
        }

        sb.Append('\\', backslashes * 2); // before the closing quote
        sb.Append('"');
    }
}
