using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Contracts;

namespace Chat.TestSupport;

/// <summary>
/// A client of the public HTTP API, the way a bot or the load generator uses it: registers, logs in
/// (keeping the bearer token for the hub), and calls the documented endpoints.
/// </summary>
public sealed class ChatApiClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ChatApiClient(Uri baseAddress)
    {
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true }) { BaseAddress = baseAddress };
        // Signed in by cookie, like a browser: changes must carry the CSRF header, as the UI's do.
        Http.DefaultRequestHeaders.Add("X-Chat-Request", "1");
    }

    public HttpClient Http { get; }

    /// <summary>The client's cookie jar (the auth cookie after sign-up), as a browser would keep it.</summary>
    public CookieContainer Cookies { get; } = new();
    public Uri BaseAddress => Http.BaseAddress!;
    public string? UserName { get; private set; }
    public string? Token { get; private set; }

    public static ChatApiClient Anonymous(Uri baseAddress) => new(baseAddress);

    private const string Password = "correct horse battery";

    /// <summary>Registers a fresh user (random name unless given) and logs in to get a bearer token.</summary>
    public static async Task<ChatApiClient> SignedUpAsync(Uri baseAddress, string? userName = null)
    {
        var client = new ChatApiClient(baseAddress);
        userName ??= "u" + Guid.NewGuid().ToString("N")[..10];
        (await client.Http.PostAsJsonAsync("/api/auth/register", new { userName, password = Password })).EnsureSuccessStatusCode();
        return await client.LogInAsync(userName);
    }

    /// <summary>
    /// Signs in as userName, registering it first if nobody has yet: for names several tests share,
    /// such as <see cref="TestSettings.ModeratorName"/>.
    /// </summary>
    public static async Task<ChatApiClient> SignedInAsync(Uri baseAddress, string userName)
    {
        var client = new ChatApiClient(baseAddress);
        var register = await client.Http.PostAsJsonAsync("/api/auth/register", new { userName, password = Password });
        if (register.StatusCode != HttpStatusCode.Conflict) register.EnsureSuccessStatusCode();
        return await client.LogInAsync(userName);
    }

    /// <summary>Logs in (setting the auth cookie) and keeps the bearer token for the hub.</summary>
    private async Task<ChatApiClient> LogInAsync(string userName)
    {
        var login = await Http.PostAsJsonAsync("/api/auth/login", new { userName, password = Password });
        login.EnsureSuccessStatusCode();
        Token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        UserName = userName;
        return this;
    }

    public async Task<string> CreateThreadAsync(string title = "A thread", string? url = null, string? body = null)
    {
        var response = await Http.PostAsJsonAsync("/api/threads", new { title, url, body });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> PostCommentAsync(string threadId, long parentSeq, string body, string? clientId = null) =>
        Http.PostAsJsonAsync($"/api/threads/{threadId}/comments", new { parentSeq, body, clientId = clientId ?? Guid.NewGuid().ToString("N") });

    public async Task<long> PostCommentSeqAsync(string threadId, long parentSeq, string body, string? clientId = null)
    {
        var response = await PostCommentAsync(threadId, parentSeq, body, clientId);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"POST comment: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
    }

    public async Task<Comment[]> GetCommentsAsync(string threadId, long after = 0, int limit = 1000)
    {
        var all = new List<Comment>();
        while (true)
        {
            var page = await Http.GetFromJsonAsync<Comment[]>($"/api/threads/{threadId}/comments?after={after}&limit={limit}", Json);
            all.AddRange(page!);
            if (page!.Length < limit) return [.. all];
            after = page[^1].Seq;
        }
    }

    /// <summary>GET /api/threads/{id}/comments/ordered: the first page (no roots) or the subtrees of roots.</summary>
    public async Task<OrderedPage> GetOrderedCommentsAsync(string threadId, string sort, IEnumerable<long>? roots = null, int limit = 500)
    {
        var rootsQuery = roots is null ? "" : "&roots=" + string.Join(',', roots);
        return (await Http.GetFromJsonAsync<OrderedPage>($"/api/threads/{threadId}/comments/ordered?sort={sort}&limit={limit}{rootsQuery}", Json))!;
    }

    /// <summary>Up-votes comment seq; returns its points after the vote.</summary>
    public async Task<long> UpvoteAsync(string threadId, long seq)
    {
        var response = await Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/vote", null);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"vote on {seq}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("points").GetInt64();
    }

    /// <summary>Edits this user's comment seq (throws on a refusal).</summary>
    public async Task EditCommentAsync(string threadId, long seq, string body)
    {
        var response = await Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body });
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"edit of {seq}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<ThreadInfo> GetThreadAsync(string threadId) =>
        (await Http.GetFromJsonAsync<ThreadInfo>($"/api/threads/{threadId}", Json))!;

    public void Dispose() => Http.Dispose();
}
