namespace Chat.Contracts;

/// <summary>
/// Authors of imported comments are display names, not accounts: "pg" from Hacker News is stored as
/// "pg@hn". '@' is not allowed in user names, so no account can ever be such an author: nobody can
/// edit or delete an imported comment as its author, vote on it as "their own", or collect karma
/// for it (karma goes to the author's user grain, and there is no account of that name).
/// </summary>
public static class ImportedAuthor
{
    public const int NameMaxLength = 32;

    /// <summary>"pg" from source "hn" becomes "pg@hn"; a missing or unusable name becomes "unknown@hn".</summary>
    public static string Of(string? name, string source)
    {
        var chars = (name ?? "").Where(c => !char.IsControl(c) && c != '@').ToArray();
        var clean = string.Join(' ', new string(chars).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (clean.Length > NameMaxLength) clean = clean[..NameMaxLength].TrimEnd();
        return (clean.Length == 0 ? "unknown" : clean) + "@" + source;
    }

    public static bool Is(string? author) => author is not null && author.Contains('@');
}
