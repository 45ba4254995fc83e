using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Chat.Web.Import;

/// <summary>
/// Reads the plain-text import format: UTF-8, one comment per line, all top level, in file order.
/// An optional first line "# Title" names the thread. A line may start with its author as
/// "name: " (letters, digits, '_', '.', '-', up to 32) or "name&lt;TAB&gt;"; otherwise the author is
/// "anonymous". Blank lines are ignored; a line with an author but no text is skipped.
/// </summary>
/// <remarks>
/// The thread id comes from the file's content, so importing the same file again finds the same
/// thread, and each comment's key is its line number ("line-7"), so nothing is stored twice. An
/// edited file is a new source, and becomes a new thread.
/// </remarks>
public static partial class TextImport
{
    public const string Source = "text";
    public const string DefaultTitle = "Imported discussion";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [GeneratedRegex("""^(?<name>[^\t]{1,32})\t(?<body>.*)$""")]
    private static partial Regex TabAuthor();

    [GeneratedRegex("""^(?<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,31}):(?: (?<body>.*))?$""")]
    private static partial Regex ColonAuthor();

    public static ImportSource Parse(ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ImportFormatException("The file is not UTF-8 text.");
        }
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(l => l.TrimEnd()).ToArray();
        var first = Array.FindIndex(lines, l => l.Length > 0);
        if (first < 0) throw new ImportFormatException("The file is empty: nothing to import.");

        var title = DefaultTitle;
        var start = first;
        if (lines[first].StartsWith("# ", StringComparison.Ordinal))
        {
            title = lines[first][2..].Trim();
            if (Limits.CheckTitle(title) is { } titleError) throw new ImportFormatException($"Line {first + 1}: {titleError}");
            start = first + 1;
        }

        var comments = new List<ImportedComment>();
        int skipped = 0, truncated = 0;
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0) continue;
            var match = TabAuthor().Match(line) is { Success: true } tab ? tab : ColonAuthor().Match(line);
            var author = match.Success ? match.Groups["name"].Value : "anonymous";
            var body = (match.Success ? match.Groups["body"].Value : line).Trim();
            if (body.Length == 0)
            {
                skipped++;
                continue;
            }
            comments.Add(new ImportedComment($"line-{i + 1}", null, ImportedAuthor.Of(author, Source), ImportBody.Fit(body, ref truncated), null));
        }
        return new ImportSource(ThreadIdOf(lines), title, null, null, null, comments, skipped, truncated);
    }

    /// <summary>"tx" and 10 base-36 digits of the SHA-256 of the lines (line endings and trailing blanks do not count).</summary>
    private static string ThreadIdOf(string[] lines)
    {
        var content = string.Join('\n', lines).TrimEnd('\n');
        var hash = BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(content)), 0);
        Span<char> id = stackalloc char[12];
        id[0] = 't';
        id[1] = 'x';
        for (var i = 11; i >= 2; i--)
        {
            id[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(hash % 36)];
            hash /= 36;
        }
        return new string(id);
    }
}
