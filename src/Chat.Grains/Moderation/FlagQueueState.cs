// Namespace Chat.Grains, not the folder's: grain storage's JSON names the CLR type of what it
// stores, so rows written before this file moved must still find it here.
namespace Chat.Grains;

[GenerateSerializer, Alias("Chat.FlagQueueState")]
public sealed class FlagQueueState
{
    /// <summary>Flagged comments waiting for a moderator, oldest first.</summary>
    [Id(0)] public List<FlaggedComment> Entries { get; set; } = [];

    /// <summary>
    /// Comments the flags hid in the queue whose thread has not confirmed the hide yet (the thread
    /// call failed): the housekeeping timer retries them, so a hide decided is never lost.
    /// </summary>
    [Id(1)] public List<FlaggedComment> PendingHides { get; set; } = [];
}
