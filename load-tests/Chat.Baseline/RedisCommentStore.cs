using System.Text.Json;
using StackExchange.Redis;

namespace Chat.Baseline;

/// <summary>
/// Shared by all nodes: INCR per thread gives the seq, and the comment goes to the thread's list at
/// index seq-1 in the same Lua script, so the list stays in seq order and catch-up works on any node.
/// </summary>
public sealed class RedisCommentStore(IConnectionMultiplexer redis) : ICommentStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // KEYS[1] seq counter, KEYS[2] list; ARGV[1] the comment JSON with "seq":0 as a placeholder.
    private const string AppendScript = """
        local seq = redis.call('INCR', KEYS[1])
        local json = string.gsub(ARGV[1], '"seq":0,', '"seq":' .. seq .. ',', 1)
        redis.call('RPUSH', KEYS[2], json)
        return seq
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<string> CreateThreadAsync()
    {
        var id = Ids.NewThreadId();
        await Db.StringSetAsync(SeqKey(id), 0);
        return id;
    }

    public Task<bool> ExistsAsync(string threadId) => Db.KeyExistsAsync(SeqKey(threadId));

    public async Task<Comment> AppendAsync(string threadId, long parentSeq, string author, string body)
    {
        var draft = new Comment(threadId, 0, parentSeq, author, body, DateTimeOffset.UtcNow);
        var seq = (long)await Db.ScriptEvaluateAsync(AppendScript, [SeqKey(threadId), ListKey(threadId)], [JsonSerializer.Serialize(draft, Json)]);
        return draft with { Seq = seq };
    }

    public async Task<Comment[]> AfterAsync(string threadId, long afterSeq, int limit)
    {
        var values = await Db.ListRangeAsync(ListKey(threadId), afterSeq, afterSeq + limit - 1);
        return values.Select(v => JsonSerializer.Deserialize<Comment>((string)v!, Json)!).ToArray();
    }

    public async Task<long> LastSeqAsync(string threadId) => (long?)await Db.StringGetAsync(SeqKey(threadId)) ?? 0;

    private static RedisKey SeqKey(string threadId) => $"chat:seq:{threadId}";
    private static RedisKey ListKey(string threadId) => $"chat:comments:{threadId}";
}
