// Namespace Chat.Grains, not the folder's: grain storage's JSON names the CLR type of what it
// stores, so rows written before this file moved must still find it here.
namespace Chat.Grains;

/// <summary>
/// What a thread keeps in Orleans grain storage. Comments are not here (grain state is capped near
/// 1 MB): they live in the comment log. LastSeq is a lower bound written lazily; on activation the
/// grain reads the log forward from it to find the real last seq.
/// </summary>
[GenerateSerializer, Alias("Chat.ThreadState")]
public sealed class ThreadState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Title { get; set; } = "";
    [Id(2)] public string? Url { get; set; }
    [Id(3)] public string? Body { get; set; }
    [Id(4)] public string Author { get; set; } = "";
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public long LastSeq { get; set; }
    /// <summary>Closed by a moderator: no new comments. Kept here (not in the log) because it is thread metadata.</summary>
    [Id(7)] public bool Locked { get; set; }
    /// <summary>The creator's key for the creation (<see cref="NewThread.ClientId"/>): a retry with it gets this thread.</summary>
    [Id(8)] public string? CreationKey { get; set; }
    /// <summary>
    /// Set when the thread is created, cleared once the front page has its row: until then the
    /// housekeeping timer keeps sending it, also after a crash (false for threads of older versions,
    /// which were listed when created).
    /// </summary>
    [Id(9)] public bool FrontPageRowPending { get; set; }
}
