using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Baseline;

/// <summary>
/// Sends each thread's new comments to its SignalR group from one loop per thread, in seq order,
/// taking whatever queued up meanwhile as one `Comments` message (at most 100), as the product does.
/// With one node every seq passes through here, so a comment that overtook an earlier one waits for
/// it. With the Redis backplane each node only sees its own posts: they go out in the order they were
/// stored by this node, and the two nodes' messages interleave in Redis as they arrive.
/// </summary>
public sealed class Broadcaster(IHubContext<DiscussionHub, IDiscussionClient> hub, bool ordered, ILogger<Broadcaster> logger)
{
    private readonly ConcurrentDictionary<string, ThreadQueue> _threads = new();
    private readonly IHubContext<DiscussionHub, IDiscussionClient> _hub = hub;
    private readonly ILogger<Broadcaster> _logger = logger;

    public void Enqueue(Comment comment) => _threads.GetOrAdd(comment.ThreadId, id => new ThreadQueue(this, id)).Add(comment, ordered);

    private sealed class ThreadQueue
    {
        private readonly Channel<Comment> _channel = Channel.CreateUnbounded<Comment>(new() { SingleReader = true });
        private readonly SortedDictionary<long, Comment> _early = [];
        private long _next = 1;

        public ThreadQueue(Broadcaster owner, string threadId) => _ = Task.Run(() => SendLoop(owner, threadId));

        public void Add(Comment comment, bool ordered)
        {
            if (!ordered) { _channel.Writer.TryWrite(comment); return; }
            lock (_early)
            {
                _early[comment.Seq] = comment;
                while (_early.Remove(_next, out var c)) { _channel.Writer.TryWrite(c); _next++; }
            }
        }

        private async Task SendLoop(Broadcaster owner, string threadId)
        {
            var batch = new List<Comment>(100);
            while (await _channel.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < 100 && _channel.Reader.TryRead(out var c)) batch.Add(c);
                try { await owner._hub.Clients.Group(threadId).Comments(threadId, batch.ToArray()); }
                catch (Exception e) { owner._logger.LogWarning(e, "Broadcast to thread {ThreadId} failed", threadId); }
            }
        }
    }
}
