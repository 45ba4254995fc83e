namespace Chat.Contracts;

/// <summary>
/// Readers' flags: a signed-in reader flags someone else's comment once, for one of
/// <see cref="Reasons"/>. Who flagged is for moderators only.
/// </summary>
public static class Flags
{
    public static readonly string[] Reasons = ["spam", "abuse", "off-topic", "other"];

    public static string? CheckReason(string? reason) =>
        reason is not null && Reasons.Contains(reason) ? null : $"reason must be one of: {string.Join(", ", Reasons)}.";

    /// <summary>A moderator's decision on a queued comment: hide it, show it again, or drop the flags and change nothing.</summary>
    public static readonly string[] Actions = ["hide", "restore", "dismiss"];

    public static string? CheckAction(string? action) =>
        action is not null && Actions.Contains(action) ? null : $"action must be one of: {string.Join(", ", Actions)}.";
}

/// <summary>One reader's flag on a comment.</summary>
[GenerateSerializer, Immutable, Alias("Chat.Flag")]
public sealed record Flag(
    [property: Id(0)] string Flagger,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset At);

/// <summary>
/// A flagged comment as the moderation queue holds it: a snapshot of the comment and its context
/// taken at its first flag (moderators must read what was flagged even once it is hidden), its flags,
/// and whether the flags hid it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.FlaggedComment")]
public sealed record FlaggedComment(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] string ThreadTitle,
    [property: Id(2)] long Seq,
    [property: Id(3)] long ParentSeq,
    [property: Id(4)] string Author,
    [property: Id(5)] string Body,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] string? ParentAuthor,
    [property: Id(8)] string? ParentBody,
    [property: Id(9)] IReadOnlyList<Flag> Flags,
    [property: Id(10)] bool HiddenByFlags);

/// <summary>What flagging answers the flagger: the reason that counts (the first one, for a repeated flag) and whether this flag was the repeat.</summary>
[GenerateSerializer, Immutable, Alias("Chat.FlagResult")]
public sealed record FlagResult(
    [property: Id(0)] string Reason,
    [property: Id(1)] bool AlreadyFlagged);
