using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Integration.Tests;

/// <summary>
/// People posting to one thread through the HTTP API, post after post, each with a fresh clientId
/// and no retries of their own: every error the web node lets through is an error a poster saw.
/// </summary>
public sealed class ThreadPosters : IAsyncDisposable
{
    /// <summary>A pause between one poster's posts: with 4 posters a busy thread, not a load test.</summary>
    private static readonly TimeSpan PostInterval = TimeSpan.FromMilliseconds(25);

    private readonly ConcurrentQueue<PostOutcome> _outcomes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _posting;

    private ThreadPosters(ChatApiClient[] posters, string threadId)
    {
        ThreadId = threadId;
        _posting = posters.Select((p, i) => PostUntilStoppedAsync(p, $"poster{i}")).ToArray();
    }

    public string ThreadId { get; }
    public Stopwatch Clock { get; } = Stopwatch.StartNew();
    public IReadOnlyCollection<PostOutcome> Outcomes => _outcomes;
    public int Acknowledged => _outcomes.Count(o => o.Seq is not null);

    public static ThreadPosters Start(ChatApiClient[] posters, string threadId) => new(posters, threadId);

    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_posting);
    }

    /// <summary>Errors the posters saw, one line each.</summary>
    public IEnumerable<string> Errors => _outcomes.Where(o => o.Error is not null).Select(o => $"{o.Body} at {o.SentAt.TotalSeconds:0.0} s: {o.Error}");

    /// <summary>Every acknowledged post is stored exactly once, under the seq it was acknowledged with.</summary>
    public async Task AssertEachAcknowledgedPostStoredOnceAsync(ChatApiClient reader)
    {
        var stored = (await reader.GetCommentsAsync(ThreadId)).GroupBy(c => c.Body).ToDictionary(g => g.Key, g => g.Select(c => c.Seq).ToArray());
        foreach (var posted in _outcomes.Where(o => o.Seq is not null))
            Assert.True(stored.TryGetValue(posted.Body, out var seqs) && seqs.SequenceEqual([posted.Seq!.Value]),
                $"'{posted.Body}' acknowledged as #{posted.Seq} is stored as [{string.Join(", ", seqs ?? [])}]");
    }

    private async Task PostUntilStoppedAsync(ChatApiClient poster, string name)
    {
        for (var i = 1; !_stop.IsCancellationRequested; i++)
        {
            var body = $"{name} {i}";
            var sentAt = Clock.Elapsed;
            long? seq = null;
            string? error = null;
            try
            {
                using var response = await poster.PostCommentAsync(ThreadId, 0, body, clientId: $"{name}-{i}");
                if (response.IsSuccessStatusCode) seq = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64();
                else error = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                error = e.Message;
            }
            _outcomes.Enqueue(new PostOutcome(body, sentAt, Clock.Elapsed, seq, error));
            await Task.Delay(PostInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

public sealed record PostOutcome(string Body, TimeSpan SentAt, TimeSpan DoneAt, long? Seq, string? Error);
