using System.Text.RegularExpressions;

namespace Chat.Contracts;

/// <summary>
/// "@name" in a comment's body: a user name (<see cref="Limits.CheckUserName"/>'s characters) after
/// an '@' that does not continue a word, so that "bob@example.com" names nobody. The pages find the
/// same tokens (js/format.js) and link those the comment's <see cref="Comment.Mentions"/> lists.
/// </summary>
public static partial class MentionText
{
    [GeneratedRegex(@"(?<![A-Za-z0-9_@-])@([A-Za-z0-9_-]{3,32})(?![A-Za-z0-9_@-])")]
    private static partial Regex MentionRegex();

    /// <summary>The distinct names the body mentions, normalized, in order of first mention; at most max of them.</summary>
    public static IReadOnlyList<string> Names(string body, int max)
    {
        var names = new List<string>();
        if (max <= 0 || !body.Contains('@')) return names;
        foreach (Match m in MentionRegex().Matches(body))
        {
            var name = Limits.NormalizeUserName(m.Groups[1].Value);
            if (!names.Contains(name)) names.Add(name);
            if (names.Count == max) break;
        }
        return names;
    }
}
