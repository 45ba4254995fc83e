namespace Chat.Contracts;

/// <summary>
/// Who follows a thread (key: the thread id), and the fan-out of its new comments to their inboxes.
/// Posts are coalesced: each follower hears at most once per <c>Chat:Inbox:FollowedPeriod</c>, with
/// how many comments came meanwhile, however fast the thread goes (docs/architecture.md, "Following").
/// </summary>
[Alias("Chat.IThreadFollowersGrain")]
public interface IThreadFollowersGrain : IGrainWithStringKey
{
    [Alias("Follow")]
    Task Follow(string userName);

    [Alias("Unfollow")]
    Task Unfollow(string userName);

    /// <summary>How many follow the thread.</summary>
    [Alias("Count")]
    Task<int> Count();

    /// <summary>A batch of comments was stored (one-way from the thread, once per settled batch: posting never waits on followers).</summary>
    [OneWay, Alias("Posted")]
    Task Posted(FollowedComment[] comments);
}

/// <summary>
/// A new comment as its thread's followers count it: not by its author, nor by those it reached
/// already as a reply or a mention (Told), so that one comment is one inbox item, not two.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.FollowedComment")]
public sealed record FollowedComment(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Author,
    [property: Id(2)] string[] Told);
