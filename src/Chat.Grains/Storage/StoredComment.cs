namespace Chat.Grains.Storage;

/// <summary>A comment as the log holds it: the public shape plus the poster's clientId (for de-duplication).</summary>
public sealed record StoredComment(Comment Comment, string ClientId);
