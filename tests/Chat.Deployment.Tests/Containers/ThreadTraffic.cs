using System.Diagnostics;

namespace Chat.Deployment.Tests.Containers;

/// <summary>
/// A thread under load across the web nodes: readers spread over the nodes (each moving to another
/// node when its own goes away, as behind a load balancer) and one poster per node that retries a
/// failed post with the same clientId until it is acknowledged.
/// </summary>
public sealed class ThreadTraffic : IAsyncDisposable
{
    private const int ReadersPerNode = 5;

    private readonly ChatApiClient _author;
    private readonly List<ThreadReader> _readers;
    private readonly List<(Poster Poster, ThreadReader Connection)> _posters;

    private ThreadTraffic(ChatApiClient author, string threadId, List<ThreadReader> readers, List<(Poster, ThreadReader)> posters)
    {
        _author = author;
        ThreadId = threadId;
        _readers = readers;
        _posters = posters;
    }

    public string ThreadId { get; }

    public IReadOnlyDictionary<long, string> Acknowledged =>
        _posters.SelectMany(p => p.Poster.Acknowledged).ToDictionary();

    public int Failures => _posters.Sum(p => p.Poster.Failures);
    public TimeSpan SlowestPost => _posters.Max(p => p.Poster.SlowestPost);

    public static async Task<ThreadTraffic> StartAsync(Uri[] nodes)
    {
        var author = await ChatApiClient.SignedUpAsync(nodes[0]);
        var threadId = await author.CreateThreadAsync("Under traffic");
        var readers = await Task.WhenAll(Enumerable.Range(0, ReadersPerNode * nodes.Length)
            .Select(i => ThreadReader.ConnectAsync(StartingAt(nodes, i), threadId)));
        var posters = new List<(Poster, ThreadReader)>();
        for (var node = 0; node < nodes.Length; node++)
        {
            using var user = await ChatApiClient.SignedUpAsync(nodes[node]);
            var connection = await ThreadReader.ConnectAsync(StartingAt(nodes, node), threadId, user.Token);
            posters.Add((new Poster(connection, $"poster {node}"), connection));
        }
        return new ThreadTraffic(author, threadId, [.. readers], posters);
    }

    /// <summary>Every node, the one at <paramref name="first"/> (modulo their count) first.</summary>
    private static Uri[] StartingAt(Uri[] nodes, int first) =>
        [.. nodes.Skip(first % nodes.Length), .. nodes.Take(first % nodes.Length)];

    /// <summary>One comment by the author, which activates the thread's grain somewhere.</summary>
    public Task<long> WarmUpAsync() => _author.PostCommentSeqAsync(ThreadId, 0, "warm-up");

    /// <summary>
    /// Each poster posts <paramref name="count"/> comments, 2 in flight, one started every 150 ms:
    /// within the production limit of 10 posts a second per user that the manifests run with, so
    /// that a failed attempt means the cluster failed, not the rate limit.
    /// </summary>
    public Task PostAsync(int count, Stopwatch clock, TimeSpan deadline) =>
        Task.WhenAll(_posters.Select(p => p.Poster.PostAsync(count, 2, clock, deadline, TimeSpan.FromMilliseconds(150))));

    /// <summary>Why the last failed post attempt failed, per poster.</summary>
    public string Failed => string.Join("; ", _posters.Where(p => p.Poster.LastFailure is not null).Select(p => p.Poster.LastFailure));

    /// <summary>
    /// Every reader ends up with every comment, the acknowledged ones among them, each once and in
    /// seq order, with no seq skipped; returns the last seq.
    /// </summary>
    public async Task<long> AssertEveryReaderHasEverythingAsync(TimeSpan deadline)
    {
        var acknowledged = Acknowledged;
        var last = acknowledged.Keys.Max();
        await Eventually.True(() => _readers.All(r => r.LastSeq >= last), deadline, $"every reader has seq {last}");
        foreach (var reader in _readers)
        {
            var received = reader.Received;
            Assert.Equal(Enumerable.Range(1, received.Count).Select(i => (long)i), received.Select(c => c.Seq));
            var bodies = received.ToDictionary(c => c.Seq, c => c.Body);
            Assert.All(acknowledged, ack => Assert.Equal(ack.Value, bodies[ack.Key]));
        }
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var reader in _readers.Concat(_posters.Select(p => p.Connection))) await reader.DisposeAsync();
        _author.Dispose();
    }
}
