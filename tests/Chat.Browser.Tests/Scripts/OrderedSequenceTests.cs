using System.Text.Json;
using Jint;
using Jint.Native.Object;
using Xunit;

namespace Chat.Browser.Tests.Scripts;

/// <summary>
/// What the thread page draws in "top" and "new" order, decided by wwwroot/js/thread/ordered-sequence.js
/// alone (run in Jint as the page holds it): pages in the server's order, live comments where they
/// belong, the next pages by the first page's order of top-level comments.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class OrderedSequenceTests : IDisposable
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "src", "Chat.Web", "wwwroot", "js", "thread");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Glue = """
        import { OrderedSequence } from './ordered-sequence.js';
        let sequence;
        const out = r => JSON.stringify(r.draw.map(c => [c.seq, sequence.placing(c)]));
        export const start = order => { sequence = new OrderedSequence(order); return 'null'; };
        export const page = p => out(sequence.receivePage(JSON.parse(p)));
        export const push = comments => out(sequence.receive(JSON.parse(comments)));
        export const next = wantUpTo => JSON.stringify(sequence.nextFetch(wantUpTo, 0));
        export const state = () => JSON.stringify({ hasMore: sequence.hasMore, lastSeq: sequence.lastSeq, roots: sequence.roots });
        export const before = (c, seq) => String(sequence.comesBefore(JSON.parse(c), seq));
        """;

    private readonly Engine _engine = new(options => options.EnableModules(Folder));
    private ObjectInstance? _module;

    public void Dispose() => _engine.Dispose();

    private T Call<T>(string name, params object[] args)
    {
        _module ??= _engine.Modules.Import("glue");
        return JsonSerializer.Deserialize<T>(_engine.Invoke(_module.Get(name), args).AsString(), Json)!;
    }

    private void Start(string order)
    {
        _engine.Modules.Add("glue", Glue);
        Call<object?>("start", order);
    }

    private static string C(long seq, long parent = 0, long points = 0) => $"{{\"seq\":{seq},\"parentSeq\":{parent},\"points\":{points},\"body\":\"c{seq}\"}}";

    private static string Page(string comments, string roots, string served, long lastSeq) =>
        $"{{\"comments\":[{comments}],\"roots\":[{roots}],\"served\":[{served}],\"lastSeq\":{lastSeq}}}";

    [Fact]
    public void Pages_are_drawn_in_their_order_and_the_next_pages_follow_the_first_pages_roots()
    {
        Start("top");
        // Top: 3 (2 points) with reply 4, then 1; roots not on the page yet: 2.
        var first = Call<JsonElement[][]>("page", Page($"{C(3, 0, 2)},{C(4, 3)},{C(1)}", "3,1,2", "3,1", 4));

        Assert.Equal([3L, 4L, 1L], first.Select(d => d[0].GetInt64()));
        Assert.All(first, d => Assert.Equal("end", d[1].GetString()));
        Assert.Equal("""{"roots":[2],"limit":500}""", JsonSerializer.Serialize(Call<JsonElement>("next", 3)));
        var second = Call<JsonElement[][]>("page", Page(C(2), "", "2", 4));
        Assert.Equal([2L], second.Select(d => d[0].GetInt64()));
        Assert.False(Call<JsonElement>("state").GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public void In_top_a_live_reply_is_placed_by_points_and_a_live_top_level_comment_waits_for_its_page_while_pages_remain()
    {
        Start("top");
        Call<JsonElement[][]>("page", Page($"{C(1, 0, 1)},{C(2, 1, 3)}", "1,3", "1", 3));

        // Seq 2 and 3 are in the pages (seq ≤ the first page's lastSeq): pushed again, dropped.
        Assert.Empty(Call<JsonElement[][]>("push", $"[{C(2, 1, 3)},{C(3)}]"));
        var live = Call<JsonElement[][]>("push", $"[{C(4, 1)},{C(5)},{C(6, 5)}]");

        Assert.Equal([[4L]], live.Select(d => new[] { d[0].GetInt64() }));
        Assert.Equal("live", live[0][1].GetString());
        Assert.Equal([1, 3, 5], Call<JsonElement>("state").GetProperty("roots").EnumerateArray().Select(r => r.GetInt32()));
        Assert.Equal(6, Call<JsonElement>("state").GetProperty("lastSeq").GetInt64());
        // A reply with no points goes after a voted sibling, before a sibling with none only if older.
        Assert.Equal("false", _engine.Invoke(_module!.Get("before"), C(4, 1), 2).AsString());
        // The page that brings 5 also draws its reply 6, held until then.
        var page = Call<JsonElement[][]>("page", Page($"{C(3)},{C(5)}", "", "3,5", 6));
        Assert.Equal([3L, 5L, 6L], page.Select(d => d[0].GetInt64()));
    }

    [Fact]
    public void In_new_a_live_top_level_comment_is_drawn_at_once_before_the_others()
    {
        Start("new");
        Call<JsonElement[][]>("page", Page($"{C(2)},{C(1)}", "2,1", "2,1", 2));

        var live = Call<JsonElement[][]>("push", $"[{C(3)}]");

        Assert.Equal(3, live.Single()[0].GetInt64());
        Assert.Equal("live", live.Single()[1].GetString());
        Assert.Equal("true", _engine.Invoke(_module!.Get("before"), C(3), 2).AsString());
    }
}
