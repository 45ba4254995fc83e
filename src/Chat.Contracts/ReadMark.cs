namespace Chat.Contracts;

/// <summary>
/// How far a signed-in reader has read one thread: every comment up to and including Seq has been on
/// their screen (or was not there to be seen: deleted, hidden, collapsed, their own). A thread with no
/// mark was never visited; a visited thread may have mark 0 (nothing read yet).
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.ReadMark")]
public sealed record ReadMark(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq)
{
    /// <summary>
    /// Threads whose marks a user grain keeps: the most recently read ones. About 50 bytes each, so
    /// 1,000 keep the user's state far below what table grain storage takes.
    /// </summary>
    public const int KeptPerUser = 1_000;

    /// <summary>Threads one request may ask the marks of (a front page shows 30).</summary>
    public const int MaxThreadsPerRequest = 100;
}
