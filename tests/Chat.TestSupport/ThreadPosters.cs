using System.Diagnostics;
using Xunit;

namespace Chat.TestSupport;

/// <summary>
/// People posting to one thread through the HTTP API, post after post, each with a fresh clientId
/// and no retries of their own (<see cref="Poster.PostUntilStoppedAsync"/>): every error the web
/// node lets through is an error a poster saw.
/// </summary>
public sealed class ThreadPosters : IAsyncDisposable
{
    /// <summary>A pause between one poster's posts: with 4 posters a busy thread, not a load test.</summary>
    private static readonly TimeSpan PostInterval = TimeSpan.FromMilliseconds(25);

    private readonly CancellationTokenSource _stop = new();
    private readonly Poster[] _posters;
    private readonly Task[] _posting;

    private ThreadPosters(ChatApiClient[] people, string threadId)
    {
        ThreadId = threadId;
        _posters = people.Select((p, i) => Poster.OverHttp(p, threadId, $"poster{i}")).ToArray();
        _posting = _posters.Select(p => p.PostUntilStoppedAsync(Clock, PostInterval, _stop.Token)).ToArray();
    }

    public string ThreadId { get; }
    public Stopwatch Clock { get; } = Stopwatch.StartNew();
    public IReadOnlyCollection<PostOutcome> Outcomes => [.. _posters.SelectMany(p => p.Outcomes)];
    public int Acknowledged => _posters.Sum(p => p.Outcomes.Count(o => o.Seq is not null));

    public static ThreadPosters Start(ChatApiClient[] people, string threadId) => new(people, threadId);

    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_posting);
    }

    /// <summary>Errors the posters saw, one line each.</summary>
    public IEnumerable<string> Errors => Outcomes.Where(o => o.Error is not null).Select(o => $"{o.Body} at {o.SentAt.TotalSeconds:0.0} s: {o.Error}");

    /// <summary>Every acknowledged post is stored exactly once, under the seq it was acknowledged with.</summary>
    public async Task AssertEachAcknowledgedPostStoredOnceAsync(ChatApiClient reader)
    {
        var stored = (await reader.GetCommentsAsync(ThreadId)).GroupBy(c => c.Body).ToDictionary(g => g.Key, g => g.Select(c => c.Seq).ToArray());
        foreach (var posted in Outcomes.Where(o => o.Seq is not null))
            Assert.True(stored.TryGetValue(posted.Body, out var seqs) && seqs.SequenceEqual([posted.Seq!.Value]),
                $"'{posted.Body}' acknowledged as #{posted.Seq} is stored as [{string.Join(", ", seqs ?? [])}]");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
