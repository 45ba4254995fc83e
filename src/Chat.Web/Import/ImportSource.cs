namespace Chat.Web.Import;

/// <summary>
/// A discussion read from an import file, checked and ready to store. Comments are in the order they
/// will get their seqs: breadth first (every parent before its replies, siblings in source order).
/// Author null means the thread is the importing moderator's own.
/// </summary>
public sealed record ImportSource(
    string ThreadId,
    string Title,
    string? Url,
    string? Body,
    string? Author,
    IReadOnlyList<ImportedComment> Comments,
    int Skipped,
    int Truncated)
{
    /// <summary>Every comment of the file: those to store and those skipped (deleted, dead, empty).</summary>
    public int Total => Comments.Count + Skipped;
}

/// <summary>The file cannot be imported; the message names the problem (shown as a 400's detail).</summary>
public sealed class ImportFormatException(string message) : Exception(message);

internal static class ImportBody
{
    /// <summary>
    /// Over-long bodies are cut (ending in "…") rather than refused: one long comment should not stop
    /// a whole discussion from coming in, and the result says how many were cut.
    /// </summary>
    public static string Fit(string body, ref int truncated)
    {
        if (body.Length <= Limits.BodyMaxLength) return body;
        truncated++;
        var cut = Limits.BodyMaxLength - 1;
        if (char.IsHighSurrogate(body[cut - 1])) cut--;
        return body[..cut] + "…";
    }
}
