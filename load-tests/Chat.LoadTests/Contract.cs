using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests;

// The public contract (docs/api.md), re-stated here: the load tool knows the product only through it.
public sealed record Comment(string ThreadId, long Seq, long ParentSeq, string Author, string Body, DateTimeOffset CreatedAt);

public sealed record JoinResponse(long LastSeq, Comment[] Comments, int Viewers);

public sealed record PostResponse(long Seq);

/// <summary>HTTP side of the contract: sign-up, threads, comments.</summary>
public sealed class ApiClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Password = "load test password";

    // A bearer-token client: no cookie jar (a cookie-signed-in client would have to send the CSRF header).
    public ApiClient(Uri baseAddress) =>
        Http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public HttpClient Http { get; }
    public string? Token { get; private set; }

    /// <summary>Registers a fresh user and logs in for a bearer token (for the hub's accessTokenFactory).</summary>
    public async Task<string> SignUpAsync(string userName)
    {
        await Check(await Http.PostAsJsonAsync("/api/auth/register", new { userName, password = Password }), "register");
        var login = await Http.PostAsJsonAsync("/api/auth/login", new { userName, password = Password });
        await Check(login, "login");
        Token = (await login.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("token").GetString();
        Http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return Token!;
    }

    public async Task<string> CreateThreadAsync(string title)
    {
        var response = await Http.PostAsJsonAsync("/api/threads", new { title });
        await Check(response, "create thread");
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetString()!;
    }

    public async Task<Comment[]> CommentsAfterAsync(string threadId, long after, int limit = 1000) =>
        (await Http.GetFromJsonAsync<Comment[]>($"/api/threads/{threadId}/comments?after={after}&limit={limit}", Json))!;

    public async Task<long> LastSeqAsync(string threadId) =>
        (await Http.GetFromJsonAsync<JsonElement>($"/api/threads/{threadId}", Json)).GetProperty("lastSeq").GetInt64();

    private static async Task Check(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => Http.Dispose();

    public static HubConnection Hub(Uri node, string? token, bool reconnect = true)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(node, "/hubs/discussion"), o =>
        {
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            // WebSockets straight away, as production clients that know the server do: with the
            // negotiate request first, every reader would also leave an idle keep-alive HTTP
            // connection on the server, doubling what idle-connections measures per reader.
            o.SkipNegotiation = true;
            o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
        });
        if (reconnect) builder.WithAutomaticReconnect();
        var connection = builder.Build();
        connection.ServerTimeout = TimeSpan.FromSeconds(60); // a busy 2-core box must not look like a dead server
        connection.HandshakeTimeout = TimeSpan.FromSeconds(30);
        return connection;
    }
}

/// <summary>Send time travels in the comment body: "lt:{Stopwatch ticks}:{n}" (one process sends and receives).</summary>
public static class Stamp
{
    public static string Body(long n) => Body(Stopwatch.GetTimestamp(), n);

    /// <summary>
    /// Stamped with the time the post was due by its open-loop schedule (not when it left): a post the
    /// generator or a full in-flight window held back counts that wait in its latency.
    /// </summary>
    public static string Body(long dueTicks, long n) => $"lt:{dueTicks}:{n} load test comment";

    /// <summary>Microseconds since the body was stamped, or -1 when it carries no stamp.</summary>
    public static long AgeMicros(string body, long now) =>
        SentAt(body) is var sent and > 0 ? Math.Max(1, (now - sent) * 1_000_000 / Stopwatch.Frequency) : -1;

    /// <summary>When the body was stamped (Stopwatch ticks), or -1 when it carries no stamp.</summary>
    public static long SentAt(string body)
    {
        if (!body.StartsWith("lt:")) return -1;
        var end = body.IndexOf(':', 3);
        return end > 0 && long.TryParse(body.AsSpan(3, end - 3), out var sent) ? sent : -1;
    }
}
