using System.CommandLine;

namespace ModelBuild.Tool.Cli;

/// <summary>
/// "Did you mean" for a mistyped option or command. System.CommandLine 2.0.0 only suggests inside its help-printing
/// parse-error action, which this CLI replaces with one MB5001 line per error; so the closest name is found here.
/// </summary>
internal static class Suggestions
{
    /// <summary>The option or subcommand of <paramref name="command"/> nearest to <paramref name="token"/> (edit distance ≤ 2, or a unique prefix), else null.</summary>
    public static string? Closest(Command command, string token)
    {
        var names = token.StartsWith('-')
            ? command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)))
                .SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Select(c => c.Name);
        var candidates = names.Where(n => !n.StartsWith("-?", StringComparison.Ordinal) && n != "/?" && n != "-h").Distinct().ToList();
        var best = candidates.Select(n => (Name: n, Distance: Distance(token, n))).Where(x => x.Distance <= 2)
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault().Name;
        if (best is not null)
        {
            return best;
        }

        var prefixed = candidates.Where(n => token.Length >= 3 && n.StartsWith(token, StringComparison.Ordinal)).ToList();
        return prefixed.Count == 1 ? prefixed[0] : null;
    }

    /// <summary>Levenshtein distance (insert, delete, substitute).</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
