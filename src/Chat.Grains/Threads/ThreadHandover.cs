namespace Chat.Grains.Threads;

/// <summary>
/// A thread's memory, handed from one activation to the next when it migrates (a silo stopping
/// gracefully, a rebalancing): the new activation serves at once, without reading the log forward,
/// counting the gone comments or summing the thread's points. Only handed over when nothing was in
/// flight (<see cref="CommitPipeline.Idle"/>); otherwise the next activation recovers from the log,
/// the truth, as after a crash. Grain state (metadata, subscribed nodes) migrates by itself.
/// </summary>
[GenerateSerializer, Alias("Chat.ThreadHandover")]
public sealed record ThreadHandover(
    [property: Id(0)] long LastSeq,
    [property: Id(1)] long GoneCount,
    [property: Id(2)] long ThreadPoints,
    [property: Id(3)] Comment[] Hot,
    [property: Id(4)] string[] ClientKeys,
    [property: Id(5)] long[] ClientSeqs)
{
    /// <summary>Its key in the migration context.</summary>
    public const string Key = "chat.thread";
}
