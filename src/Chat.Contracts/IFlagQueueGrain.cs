namespace Chat.Contracts;

/// <summary>
/// The moderation queue (a single activation, key 0): flagged comments waiting for a moderator.
/// Counts distinct flaggers per comment, hides a comment when enough of them flagged it
/// (Chat:Moderation:FlagsToHide), and tells every web node with a moderator's /mod page open when
/// the queue changes. Kept in grain state, bounded (Chat:Moderation:QueueSize).
/// </summary>
[Alias("Chat.IFlagQueueGrain")]
public interface IFlagQueueGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Adds one flag (the caller, the flagger's grain, has checked the flagger and the reason). The
    /// comment's snapshot is kept from its first flag. A flagger already counted for this comment is
    /// not counted again. Returns once the queue is stored.
    /// </summary>
    [Alias("AddFlag")]
    Task AddFlag(FlaggedComment comment, Flag flag);

    /// <summary>The queue, oldest first. Moderators only: the web tier checks.</summary>
    [Alias("GetQueue")]
    Task<FlaggedComment[]> GetQueue();

    /// <summary>
    /// A moderator decides (<see cref="Flags.Actions"/>): hide, restore (shown again) or dismiss (the
    /// flags go, the comment stays as it is). The entry leaves the queue on every moderator's page.
    /// NotFound if it is not in the queue (another moderator decided first).
    /// </summary>
    [Alias("Decide")]
    Task Decide(string threadId, long seq, string action, string moderator);

    /// <summary>Subscribes (or refreshes) a web node with moderators' /mod pages open. Returns the queue's version.</summary>
    [Alias("Subscribe")]
    Task<long> Subscribe(string nodeId, IModQueueObserver observer);

    [Alias("Unsubscribe")]
    Task Unsubscribe(string nodeId);
}

/// <summary>Implemented once per web node: the queue changed (version grows with every change). One-way.</summary>
[Alias("Chat.IModQueueObserver")]
public interface IModQueueObserver : INodeObserver
{
    [OneWay, Alias("OnModQueue")]
    Task OnModQueue(long version);
}
