using System.Text.RegularExpressions;

namespace Chat.Contracts;

/// <summary>
/// Input rules shared by the web tier (which refuses bad input early with a clear message) and the
/// grains (which refuse it again, because grains are also called by other hosts and tests).
/// </summary>
public static partial class Limits
{
    public const int BodyMaxLength = 10_000;
    public const int TitleMaxLength = 300;
    public const int UrlMaxLength = 2_000;
    public const int UserNameMinLength = 3;
    public const int UserNameMaxLength = 32;
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 200;
    public const int ClientIdMaxLength = 64;

    /// <summary>One Azure Table transaction holds at most 100 entities of one partition.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>
    /// How long a post may take before its caller gives up (and retries with the same clientId):
    /// bounds how long posting stalls when the silo holding a thread or user dies.
    /// </summary>
    public const string PostResponseTimeout = "00:00:05";

    /// <summary>Largest page a reader may ask for at once.</summary>
    public const int MaxPageSize = 1_000;

    /// <summary>
    /// Hub messages carry at most one comment body (10,000 UTF-16 chars, up to 30 KB of UTF-8 with
    /// escapes) plus a little framing.
    /// </summary>
    public const long MaxHubMessageBytes = 64 * 1024;

    [GeneratedRegex("^[a-z0-9_-]{3,32}$")]
    private static partial Regex UserNameRegex();

    [GeneratedRegex("^[a-z0-9]{12}$")]
    private static partial Regex ThreadIdRegex();

    public static bool IsValidThreadId(string? id) => id is not null && ThreadIdRegex().IsMatch(id);

    /// <summary>User names are case-insensitive: "Alice" and "alice" are one account.</summary>
    public static string NormalizeUserName(string userName) => userName.Trim().ToLowerInvariant();

    /// <summary>Returns null when the user name is acceptable, otherwise a message a person can act on.</summary>
    public static string? CheckUserName(string? userName) =>
        userName is not null && UserNameRegex().IsMatch(NormalizeUserName(userName))
            ? null
            : $"User name must be {UserNameMinLength} to {UserNameMaxLength} characters of a-z, 0-9, '_' or '-'.";

    public static string? CheckPassword(string? password) =>
        password is null || password.Length < PasswordMinLength || password.Length > PasswordMaxLength
            ? $"Password must be {PasswordMinLength} to {PasswordMaxLength} characters."
            : null;

    public static string? CheckBody(string? body) =>
        string.IsNullOrWhiteSpace(body) ? "Comment is empty."
        : body.Length > BodyMaxLength ? $"Comment is too long: {body.Length} characters, at most {BodyMaxLength}."
        : null;

    public static string? CheckTitle(string? title) =>
        string.IsNullOrWhiteSpace(title) ? "Title is empty."
        : title.Length > TitleMaxLength ? $"Title is too long: {title.Length} characters, at most {TitleMaxLength}."
        : null;

    /// <summary>Only absolute http(s) URLs: anything else (javascript:, data:) could run script when clicked.</summary>
    public static string? CheckUrl(string? url) =>
        string.IsNullOrEmpty(url) ? null
        : url.Length > UrlMaxLength ? $"URL is too long: at most {UrlMaxLength} characters."
        : Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? null
            : "URL must be an absolute http:// or https:// address.";

    public static string? CheckClientId(string? clientId) =>
        string.IsNullOrEmpty(clientId) || clientId.Length > ClientIdMaxLength
            ? $"clientId must be 1 to {ClientIdMaxLength} characters (a random id per post, reused when retrying it)."
            : null;

    public static string? CheckThreadId(string? threadId) =>
        IsValidThreadId(threadId) ? null : "Thread id must be 12 characters of a-z and 0-9.";

    private const string ThreadIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const int ThreadIdLength = 12;

    public static string NewThreadId()
    {
        Span<char> id = stackalloc char[ThreadIdLength];
        for (var i = 0; i < id.Length; i++) id[i] = ThreadIdAlphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(ThreadIdAlphabet.Length)];
        return new string(id);
    }

    /// <summary>
    /// A thread id derived from a key (the same key, the same id): 12 characters from its SHA-256,
    /// as unguessable without the key, and as unlikely to collide, as a random id.
    /// </summary>
    public static string ThreadIdOf(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), hash);
        Span<char> id = stackalloc char[ThreadIdLength];
        for (var i = 0; i < id.Length; i++) id[i] = ThreadIdAlphabet[BitConverter.ToUInt16(hash[(2 * i)..]) % ThreadIdAlphabet.Length];
        return new string(id);
    }
}
