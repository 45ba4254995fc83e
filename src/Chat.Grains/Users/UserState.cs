// Namespace Chat.Grains, not the folder's: grain storage's JSON names the CLR type of what it
// stores, so rows written before this file moved must still find it here.
namespace Chat.Grains;

[GenerateSerializer, Alias("Chat.UserState")]
public sealed class UserState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string PasswordHash { get; set; } = "";
    [Id(2)] public DateTimeOffset JoinedAt { get; set; }
    [Id(3)] public List<CommentRef> RecentComments { get; set; } = [];
    /// <summary>Up-votes received on this user's comments and threads, minus those taken back.</summary>
    [Id(4)] public long Karma { get; set; }
    /// <summary>Replies to this user's comments, oldest first (the grain lists them newest first).</summary>
    [Id(5)] public List<InboxItem> Inbox { get; set; } = [];
    /// <summary>How many of the newest <see cref="Inbox"/> items are unread.</summary>
    [Id(6)] public int InboxUnread { get; set; }
    /// <summary>How far this user has read each thread (thread id → mark), the most recently read <see cref="ReadMark.KeptPerUser"/>.</summary>
    [Id(7)] public Dictionary<string, ThreadReadMark> ReadMarks { get; set; } = [];
    /// <summary>The comments this user flagged ("threadId/seq"), oldest first, the newest 1,000: a user flags a comment once.</summary>
    [Id(8)] public List<string> Flagged { get; set; } = [];
    // Added with what a reader controls; absent in older rows (= none, and auto-follow on).
    /// <summary>Whom this user muted (normalized names), oldest first.</summary>
    [Id(9)] public List<string> Muted { get; set; } = [];
    /// <summary>This user's comments whose replies do not notify them.</summary>
    [Id(10)] public List<QuietedComment> Quieted { get; set; } = [];
    /// <summary>Threads this user follows, oldest first.</summary>
    [Id(11)] public List<FollowedThread> Follows { get; set; } = [];
    /// <summary>Inverted so that a missing field (older rows) means on.</summary>
    [Id(12)] public bool AutoFollowOff { get; set; }
}
