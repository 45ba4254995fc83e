namespace Chat.Contracts;

/// <summary>
/// The list of threads on the front page (a single activation, key 0). Thread grains feed it with
/// throttled one-way updates so that it never becomes the hot spot.
/// </summary>
[Alias("Chat.IFrontPageGrain")]
// Raised by a release that adds methods; unchanged since 0.1.0 (docs/operations.md, "Upgrades").
[Orleans.CodeGeneration.Version(0)]
public interface IFrontPageGrain : IGrainWithIntegerKey
{
    /// <summary>Newest first (sort "new"), or by <see cref="Ranking.Hot"/> (sort "hot").</summary>
    [Alias("GetThreads")]
    Task<ThreadSummary[]> GetThreads(int limit);

    [Alias("GetThreadsSorted")]
    Task<ThreadSummary[]> GetThreadsSorted(string sort, int limit);

    /// <summary>
    /// Adds or refreshes one thread's row. Awaited when a thread is created (so it is listed when the
    /// creator looks), not awaited for count updates.
    /// </summary>
    [Alias("Update")]
    Task Update(ThreadSummary thread);

    /// <summary>
    /// Subscribes (or refreshes) a web node's observer, which then hears of changes at most about once
    /// per <c>Chat:FrontPage:PushPeriod</c>. Nodes refresh well within <c>Chat:FrontPage:SubscriptionExpiry</c>
    /// or are dropped. Returns the change counter, so a node can tell whether it missed a change.
    /// </summary>
    [Alias("Subscribe")]
    Task<long> Subscribe(string nodeId, IFrontPageObserver observer);

    [Alias("Unsubscribe")]
    Task Unsubscribe(string nodeId);
}
