using System.Buffers.Text;
using System.Text;

namespace Chat.LoadTests;

/// <summary>
/// Just enough of SignalR's JSON hub protocol for a reader that only checks seqs and latency:
/// records end with 0x1E; of each it reads the message type, the target of an invocation, the
/// invocation id of a completion, and, of every comment in it, the seq and the send stamp in the
/// body ("lt:{ticks}:…"). Nothing is deserialised: a reader of 100,000 connections must cost the
/// generator less than the server.
/// </summary>
/// <remarks>
/// Safe to scan for <c>"seq":</c> and <c>"body":"</c>: inside a JSON string every quote is escaped
/// (<c>\"</c>), so a comment's text can never contain them unescaped; <c>"parentSeq":</c> does not
/// match because the quote must come right before <c>seq</c>.
/// </remarks>
public static class LeanFrames
{
    public const byte RecordSeparator = 0x1E;

    public static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    public static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    private static readonly byte[] TypeKey = "\"type\":"u8.ToArray();
    private static readonly byte[] TargetComments = "\"target\":\"Comments\""u8.ToArray();
    private static readonly byte[] TargetReconnect = "\"target\":\"Reconnect\""u8.ToArray();
    private static readonly byte[] SeqKey = "\"seq\":"u8.ToArray();
    private static readonly byte[] BodyStamp = "\"body\":\"lt:"u8.ToArray();
    private static readonly byte[] LastSeqKey = "\"lastSeq\":"u8.ToArray();
    private static readonly byte[] ErrorKey = "\"error\":"u8.ToArray();

    /// <summary>An invocation of JoinThread(threadId, afterSeq), as record bytes.</summary>
    public static byte[] JoinThread(string invocationId, string threadId, long afterSeq) =>
        Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{invocationId}\",\"target\":\"JoinThread\",\"arguments\":[\"{threadId}\",{afterSeq}]}}\u001e");

    /// <summary>Any invocation whose arguments are given as JSON (e.g. <c>"hot"</c>), as record bytes.</summary>
    public static byte[] Invocation(string invocationId, string target, params string[] jsonArguments) =>
        Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{invocationId}\",\"target\":\"{target}\",\"arguments\":[{string.Join(",", jsonArguments)}]}}\u001e");

    /// <summary>The message type of one record (1 invocation, 3 completion, 6 ping, 7 close), or 0 for the handshake answer.</summary>
    public static int TypeOf(ReadOnlySpan<byte> record)
    {
        var at = record.IndexOf(TypeKey);
        return at < 0 ? 0 : (int)Number(record[(at + TypeKey.Length)..]);
    }

    public static bool IsComments(ReadOnlySpan<byte> record) => record.IndexOf(TargetComments) >= 0;

    public static bool IsReconnect(ReadOnlySpan<byte> record) => record.IndexOf(TargetReconnect) >= 0;

    /// <summary>The error text of a completion or close, if it carries one.</summary>
    public static string? ErrorOf(ReadOnlySpan<byte> record)
    {
        var at = record.IndexOf(ErrorKey);
        return at < 0 ? null : Encoding.UTF8.GetString(record[(at + ErrorKey.Length)..]).TrimEnd('}');
    }

    /// <summary>The lastSeq of a JoinThread completion.</summary>
    public static long LastSeqOf(ReadOnlySpan<byte> record)
    {
        var at = record.IndexOf(LastSeqKey);
        return at < 0 ? 0 : Number(record[(at + LastSeqKey.Length)..]);
    }

    /// <summary>
    /// Every comment's seq and send stamp (Stopwatch ticks; -1 when the body carries none), in the
    /// order they appear, appended to <paramref name="into"/>.
    /// </summary>
    public static void Comments(ReadOnlySpan<byte> json, List<(long Seq, long Sent)> into)
    {
        while (true)
        {
            var at = json.IndexOf(SeqKey);
            if (at < 0) return;
            json = json[(at + SeqKey.Length)..];
            var seq = Number(json);
            // The body belongs to this comment if it comes before the next comment's seq.
            var next = json.IndexOf(SeqKey);
            var body = json.IndexOf(BodyStamp);
            long sent = -1;
            if (body >= 0 && (next < 0 || body < next)) sent = Number(json[(body + BodyStamp.Length)..]);
            into.Add((seq, sent));
        }
    }

    private static long Number(ReadOnlySpan<byte> at) => Utf8Parser.TryParse(at, out long value, out _) ? value : -1;
}
