namespace Chat.Contracts;

/// <summary>
/// A refusal a person can read: bad input, unknown thread, storage down. The web tier maps
/// <see cref="Kind"/> to an HTTP status or hub error; the message is shown as is.
/// </summary>
[GenerateSerializer, Alias("Chat.ChatException")]
public sealed class ChatException : Exception
{
    public ChatException(ChatErrorKind kind, string message, int retryAfterSeconds = 0) : base(message)
    {
        Kind = kind;
        RetryAfterSeconds = retryAfterSeconds;
    }

    [Id(0)]
    public ChatErrorKind Kind { get; }

    /// <summary>For RateLimited and StorageUnavailable: when trying again makes sense.</summary>
    [Id(1)]
    public int RetryAfterSeconds { get; }

    public static ChatException Invalid(string message) => new(ChatErrorKind.Invalid, message);
    public static ChatException NotFound(string message) => new(ChatErrorKind.NotFound, message);
    public static ChatException Conflict(string message) => new(ChatErrorKind.Conflict, message);
    public static ChatException Forbidden(string message) => new(ChatErrorKind.Forbidden, message);
    public static ChatException StorageUnavailable() =>
        new(ChatErrorKind.StorageUnavailable, "Storage unavailable, try again (retrying with the same clientId is safe: a post is stored once, even if this attempt reached storage after all).", 1);
    public static ChatException RateLimited(string what, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return new(ChatErrorKind.RateLimited, $"Too many {what}: try again in {seconds} s.", seconds);
    }
}

[GenerateSerializer, Alias("Chat.ChatErrorKind")]
public enum ChatErrorKind
{
    Invalid = 0,
    NotFound = 1,
    Conflict = 2,
    StorageUnavailable = 3,
    RateLimited = 4,
    /// <summary>Signed in, but not allowed to do this (e.g. edit someone else's comment).</summary>
    Forbidden = 5,
}
