using System.Text;

namespace Chat.Browser.Tests.Xss;

/// <summary>The payloads of xss-payloads.txt (copied next to the test assembly), read verbatim.</summary>
public static class XssCorpus
{
    public static readonly IReadOnlyList<string> Payloads = Load();

    private static string[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Xss", "xss-payloads.txt");
        return File.ReadAllLines(path, Encoding.UTF8)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToArray();
    }

    /// <summary>Payloads joined into strings of at most maxLength characters, each payload whole.</summary>
    public static List<string> Chunks(IEnumerable<string> payloads, int maxLength, string separator)
    {
        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var payload in payloads)
        {
            if (current.Length > 0 && current.Length + separator.Length + payload.Length > maxLength)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0) current.Append(separator);
            current.Append(payload);
        }
        if (current.Length > 0) chunks.Add(current.ToString());
        return chunks;
    }

    /// <summary>What the API must accept at most: an absolute URL that at least claims to be http(s).</summary>
    public static bool LooksHttp(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
