namespace Chat.Contracts;

/// <summary>
/// One version of a comment's text: its body and when it was written (posted, or edited to this).
/// A comment's history is its earlier versions, oldest first, and its text now last.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.CommentVersion")]
public sealed record CommentVersion(
    [property: Id(0)] string Body,
    [property: Id(1)] DateTimeOffset At)
{
    /// <summary>Versions kept a comment, its text now among them: an edit past this drops the oldest.</summary>
    public const int MaxVersions = 20;
}
