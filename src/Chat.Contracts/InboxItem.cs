namespace Chat.Contracts;

/// <summary>
/// One reply to a user's comment, or a comment that mentions them, as their inbox lists it. A
/// snapshot taken when the comment was stored: later edits do not change it (deleting it removes it).
/// Kind came later (last, with a new id): null is a reply (as on every item stored before),
/// <see cref="MentionKind"/> a mention. Count came after it, the same way (only for <see cref="FollowedKind"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.InboxItem")]
public sealed record InboxItem(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] string ThreadTitle,
    [property: Id(2)] long Seq,
    [property: Id(3)] long ParentSeq,
    [property: Id(4)] string Author,
    [property: Id(5)] string Snippet,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] string? Kind = null,
    [property: Id(8)] int? Count = null)
{
    /// <summary>New comments in a followed thread: one item per thread, Count of them, Seq the first.</summary>
    public const string FollowedKind = "followed";

    public const int SnippetLength = 140;

    public const string ReplyKind = "reply";
    public const string MentionKind = "mention";

    /// <summary>The start of a body: enough to recognise the reply, small enough to keep 100 in grain state.</summary>
    public static string SnippetOf(string body) => body.Length <= SnippetLength ? body : body[..SnippetLength] + "…";
}

/// <summary>A user's inbox: newest reply first; the first <see cref="Unread"/> of them are unread.</summary>
[GenerateSerializer, Immutable, Alias("Chat.Inbox")]
public sealed record Inbox(
    [property: Id(0)] IReadOnlyList<InboxItem> Items,
    [property: Id(1)] int Unread);

/// <summary>
/// A user's unread count as a web node learns it. Version grows with every change (and starts past
/// the last activation's on a new one), so a node can drop a notice that arrives after a newer one:
/// one-way calls are not delivered in order.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.InboxStatus")]
public sealed record InboxStatus(
    [property: Id(0)] int Unread,
    [property: Id(1)] long Version);
