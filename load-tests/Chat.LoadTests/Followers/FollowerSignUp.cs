using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.LoadTests.Followers;

/// <summary>
/// Signs up followers through the public API, as people would: register, sign in for a bearer
/// token, <c>POST /api/threads/{id}/follow</c>; at most `concurrency` users at a time, over one
/// shared HTTP client per web node. An answer of 429 or 5xx is tried again (at most 5 times).
/// </summary>
public sealed class FollowerSignUp(Uri[] nodes, int concurrency) : IDisposable
{
    private const string Password = "load test password";
    private readonly HttpClient[] _clients = [.. nodes.Select(n => new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = concurrency })
        { BaseAddress = n, Timeout = TimeSpan.FromSeconds(60) })];
    private long _done;
    private long _errors;
    private long _retries;

    public long Done => Interlocked.Read(ref _done);
    public long Errors => Interlocked.Read(ref _errors);
    public long Retries => Interlocked.Read(ref _retries);
    public string? LastError { get; private set; }

    /// <summary>The users' tokens by index (null where sign-up or the follow failed); only those below `keepTokens` are kept.</summary>
    public async Task<string?[]> RunAsync(string prefix, int count, string threadId, int keepTokens, Action<string> progress, CancellationToken ct)
    {
        var tokens = new string?[count];
        var sw = Stopwatch.StartNew();
        using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(5));
        var report = Task.Run(async () =>
        {
            while (await ticker.WaitForNextTickAsync(ct).ConfigureAwait(false))
                progress($"signed up and following: {Done}/{count} in {sw.Elapsed.TotalSeconds:0}s ({Done / sw.Elapsed.TotalSeconds:0}/s), errors {Errors}, retries {Retries}");
        }, ct);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
        {
            var http = _clients[i % _clients.Length];
            var name = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            try
            {
                await SendAsync(http, HttpMethod.Post, "/api/auth/register", null, new { userName = name, password = Password }, token);
                using var login = await SendAsync(http, HttpMethod.Post, "/api/auth/login", null, new { userName = name, password = Password }, token);
                var bearer = (await login.Content.ReadFromJsonAsync<JsonElement>(ApiClient.Json, token)).GetProperty("token").GetString()!;
                await SendAsync(http, HttpMethod.Post, $"/api/threads/{threadId}/follow", bearer, null, token);
                if (i < keepTokens) tokens[i] = bearer;
                Interlocked.Increment(ref _done);
            }
            catch (HttpRequestException e)
            {
                LastError = e.Message;
                Interlocked.Increment(ref _errors);
            }
        });
        ticker.Dispose();
        try { await report; } catch (OperationCanceledException) { }
        return tokens;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? bearer, object? body, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
            var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode) return response;
            var again = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            if (!again || attempt == 5)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                response.Dispose();
                throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}");
            }
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200 * attempt);
            response.Dispose();
            Interlocked.Increment(ref _retries);
            await Task.Delay(wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromSeconds(5), ct);
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients) c.Dispose();
    }
}
