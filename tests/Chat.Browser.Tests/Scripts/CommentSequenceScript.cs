using System.Text.Json;
using Jint;
using Jint.Native.Object;

namespace Chat.Browser.Tests.Scripts;

/// <summary>
/// The thread page's real sequencing module (wwwroot/js/thread/sequence.js), run in Jint as the
/// page holds it: one CommentSequence, fed batches as JSON, answering as JSON.
/// </summary>
public sealed class CommentSequenceScript : IDisposable
{
    private static readonly string ModulePath = Path.Combine(RepoPaths.Root, "src", "Chat.Web", "wwwroot", "js", "thread", "sequence.js");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // The glue between C# and the module: JSON in, JSON out, so that the tests read as C#.
    private const string Glue = """
        import { CommentSequence } from 'sequence';
        const sequence = new CommentSequence();
        const seqs = comments => comments.map(c => c.seq);
        export const receive = (batch, knownLastSeq) => {
          const { draw, duplicates } = sequence.receive(JSON.parse(batch), knownLastSeq);
          return JSON.stringify({ drawn: draw, duplicates });
        };
        export const update = updates => JSON.stringify(seqs(sequence.update(JSON.parse(updates))));
        export const nextFetch = (wantUpTo, jumpTo) => JSON.stringify(sequence.nextFetch(wantUpTo, jumpTo));
        export const changed = page => JSON.stringify(seqs(sequence.changed(JSON.parse(page))));
        export const shown = seq => JSON.stringify(sequence.get(seq) ?? null);
        export const countFrom = (count, lastSeq) => { sequence.countFrom(count, lastSeq); return 'null'; };
        export const visibleCount = () => JSON.stringify(sequence.visibleCount);
        export const countUnsure = () => JSON.stringify(sequence.countUnsure);
        export const recount = (count, lastSeq) => { sequence.recount(count, lastSeq); return 'null'; };
        export const state = () => JSON.stringify({
          lastSeq: sequence.lastSeq, targetSeq: sequence.targetSeq, notShown: sequence.notShown, highestShown: sequence.highestShown,
        });
        """;

    private readonly Engine _engine = new();
    private readonly ObjectInstance _module;

    public CommentSequenceScript()
    {
        _engine.Modules.Add("sequence", File.ReadAllText(ModulePath));
        _engine.Modules.Add("glue", Glue);
        _module = _engine.Modules.Import("glue");
    }

    public const int PageSize = 500;
    public const int JumpPageSize = 1000;

    /// <summary>Comments as the server sends them: author, body, parent, points.</summary>
    public static Comment[] Comments(params long[] seqs) => [.. seqs.Select(seq => new Comment(seq, 0, $"Comment {seq}."))];

    public static Comment[] Range(long first, long last) => Comments([.. LongRange(first, last)]);

    public static IEnumerable<long> LongRange(long first, long last)
    {
        for (var seq = first; seq <= last; seq++) yield return seq;
    }

    /// <summary>A batch (a push, a page, a join's comments); knownLastSeq is a join result's lastSeq.</summary>
    public Received Receive(IEnumerable<Comment> batch, long knownLastSeq = 0) =>
        Call<Received>("receive", JsonSerializer.Serialize(batch, Json), knownLastSeq);

    /// <summary>An `updates` push: the seqs to redraw now.</summary>
    public long[] Update(params Comment[] updates) => Call<long[]>("update", JsonSerializer.Serialize(updates, Json));

    public Fetch? NextFetch(long wantUpTo = 0, long jumpTo = 0) => Call<Fetch?>("nextFetch", wantUpTo, jumpTo);

    public long[] Changed(IEnumerable<Comment> page) => Call<long[]>("changed", JsonSerializer.Serialize(page, Json));

    /// <summary>The comment as the page shows it, or null if not drawn.</summary>
    public Comment? Shown(long seq) => Call<Comment?>("shown", seq);

    public State Now => Call<State>("state");

    /// <summary>The server's count of visible comments as of lastSeq (GET /api/threads/{id}).</summary>
    public void CountFrom(long commentCount, long lastSeq) => Call<object?>("countFrom", commentCount, lastSeq);

    /// <summary>The server's count again, read because an update could not be counted on the page; comments above lastSeq stay counted.</summary>
    public void Recount(long commentCount, long lastSeq) => Call<object?>("recount", commentCount, lastSeq);

    /// <summary>Whether the page must ask the server for the count (an update it could not place).</summary>
    public bool CountUnsure => Call<bool>("countUnsure");

    /// <summary>What the header says: comments a reader can see in the whole thread.</summary>
    public long? VisibleCount => Call<long?>("visibleCount");

    private T Call<T>(string name, params object[] args)
    {
        var result = _engine.Invoke(_module.Get(name), args);
        return JsonSerializer.Deserialize<T>(result.AsString(), Json)!;
    }

    public void Dispose() => _engine.Dispose();

    public sealed record Comment(long Seq, long ParentSeq, string Body, string Author = "alice", long Points = 0, string? EditedAt = null, bool Deleted = false, bool Hidden = false);

    public sealed record Received(Comment[] Drawn, long[] Duplicates)
    {
        public long[] DrawnSeqs => [.. Drawn.Select(c => c.Seq)];
    }

    public sealed record Fetch(long After, int Limit);

    public sealed record State(long LastSeq, long TargetSeq, long NotShown, long HighestShown);
}
