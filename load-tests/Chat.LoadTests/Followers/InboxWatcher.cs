using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.LoadTests.Followers;

/// <summary>
/// A follower with the inbox page open: a hub connection that called <c>JoinInbox</c>, as the page
/// does, and on every <c>Inbox</c> push reads <c>GET /api/inbox</c> for the followed thread's count,
/// as the page re-reads its list. The push's arrival is stamped before the read.
/// </summary>
public sealed class InboxWatcher(Uri node, HttpClient http, string token, string threadId) : IAsyncDisposable
{
    private readonly HubConnection _connection = ApiClient.Hub(node, token, reconnect: false);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly List<InboxArrival> _arrivals = [];
    private int _lastCount;
    private long _pushes;
    private long _errors;

    public int LastCount => Volatile.Read(ref _lastCount);
    public long Pushes => Interlocked.Read(ref _pushes);
    public long Errors => Interlocked.Read(ref _errors);

    public IReadOnlyList<InboxArrival> Arrivals
    {
        get { lock (_arrivals) return [.. _arrivals]; }
    }

    public async Task StartAsync(CancellationToken ct)
    {
        _connection.On<JsonElement>("Inbox", _ => OnPushAsync());
        await _connection.StartAsync(ct);
        await _connection.InvokeAsync<JsonElement>("JoinInbox", ct);
    }

    private async Task OnPushAsync()
    {
        var arrival = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _pushes);
        // One read at a time: a later push waits, and its read sees at least what the earlier one did.
        await _reading.WaitAsync();
        try
        {
            var count = await FollowedCountAsync();
            lock (_arrivals) _arrivals.Add(new InboxArrival(arrival, count));
            Volatile.Write(ref _lastCount, Math.Max(_lastCount, count));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            Interlocked.Increment(ref _errors);
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>The count of the thread's "followed" item in this user's inbox (0 without one).</summary>
    private async Task<int> FollowedCountAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, "/api/inbox"));
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(ApiClient.Json);
        return FollowedCount(page, threadId);
    }

    /// <summary>The followed item's count for the thread in a <c>GET /api/inbox</c> page.</summary>
    public static int FollowedCount(JsonElement page, string threadId)
    {
        foreach (var item in page.GetProperty("items").EnumerateArray())
            if (item.GetProperty("kind").GetString() == "followed" && item.GetProperty("threadId").GetString() == threadId
                && item.TryGetProperty("count", out var count) && count.ValueKind == JsonValueKind.Number)
                return count.GetInt32();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        try { await _connection.DisposeAsync(); } catch { /* closing at the end of a run */ }
    }
}
