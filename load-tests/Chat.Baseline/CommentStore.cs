namespace Chat.Baseline;

/// <summary>Where seqs come from and where comments are kept for catch-up.</summary>
public interface ICommentStore
{
    Task<string> CreateThreadAsync();
    Task<bool> ExistsAsync(string threadId);
    /// <summary>Assigns the next seq of the thread and keeps the comment.</summary>
    Task<Comment> AppendAsync(string threadId, long parentSeq, string author, string body);
    Task<Comment[]> AfterAsync(string threadId, long afterSeq, int limit);
    Task<long> LastSeqAsync(string threadId);
}

/// <summary>One process: a list per thread under a lock.</summary>
public sealed class MemoryCommentStore : ICommentStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<Comment>> _threads = new();

    public Task<string> CreateThreadAsync()
    {
        var id = Ids.NewThreadId();
        _threads[id] = [];
        return Task.FromResult(id);
    }

    public Task<bool> ExistsAsync(string threadId) => Task.FromResult(_threads.ContainsKey(threadId));

    public Task<Comment> AppendAsync(string threadId, long parentSeq, string author, string body)
    {
        var list = _threads[threadId];
        lock (list)
        {
            var comment = new Comment(threadId, list.Count + 1, parentSeq, author, body, DateTimeOffset.UtcNow);
            list.Add(comment);
            return Task.FromResult(comment);
        }
    }

    public Task<Comment[]> AfterAsync(string threadId, long afterSeq, int limit)
    {
        if (!_threads.TryGetValue(threadId, out var list)) return Task.FromResult(Array.Empty<Comment>());
        lock (list)
        {
            var from = (int)Math.Clamp(afterSeq, 0, list.Count);
            return Task.FromResult(list.GetRange(from, Math.Min(limit, list.Count - from)).ToArray());
        }
    }

    public Task<long> LastSeqAsync(string threadId)
    {
        if (!_threads.TryGetValue(threadId, out var list)) return Task.FromResult(0L);
        lock (list) return Task.FromResult((long)list.Count);
    }
}

public static class Ids
{
    public static string NewThreadId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(12, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }
}
