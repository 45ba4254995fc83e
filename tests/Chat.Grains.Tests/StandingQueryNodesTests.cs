using Chat.Contracts.Search;
using Chat.Grains.Search;

namespace Chat.Grains.Tests;

/// <summary>A shard's standing queries by node: shared queries matched once, a refresh replaces a node's set, a silent node expires.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class StandingQueryNodesTests
{
    private static readonly SearchDocument Doc = new("t1", 1, "title", "grain state", "alice", DateTimeOffset.UtcNow, 0, 1);

    private static StandingQuery Q(string q) => StandingQuery.Of(SearchQuery.Parse(q));

    private sealed class Observer : IStandingQueryObserver
    {
        public Task OnSearchMatches(StandingMatch[] matches) => Task.CompletedTask;
        public Task OnSearchWithdrawn(string threadId, long seq) => Task.CompletedTask;
    }

    [Fact]
    public void Nodes_sharing_a_query_each_get_its_match_and_a_refresh_drops_what_a_node_no_longer_holds()
    {
        var time = new AdvancingClock();
        var nodes = new StandingQueryNodes(time, TimeSpan.FromSeconds(45));
        var (a, b) = (new Observer(), new Observer());
        nodes.Watch("a", a, [Q("grain"), Q("state")], replace: false);
        nodes.Watch("b", b, [Q("grain")], replace: false);

        Assert.Equal(2, nodes.Queries);
        var matches = nodes.Match(Doc).ToList();
        Assert.Equal(2, matches.Single(m => m.Observer == a).Matches.Count);
        Assert.Single(matches.Single(m => m.Observer == b).Matches);

        nodes.Watch("a", a, [Q("state")], replace: true);
        Assert.Equal(2, nodes.Queries); // b still holds "grain"
        nodes.Watch("b", b, [], replace: true);
        Assert.Equal(1, nodes.Queries);
        Assert.Equal(1, nodes.Nodes);
    }

    [Fact]
    public void A_node_that_stops_refreshing_expires_with_its_queries()
    {
        var time = new AdvancingClock();
        var nodes = new StandingQueryNodes(time, TimeSpan.FromSeconds(45));
        nodes.Watch("a", new Observer(), [Q("grain")], replace: false);

        time.Advance(TimeSpan.FromSeconds(44));
        Assert.Equal(0, nodes.Expire());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, nodes.Expire());

        Assert.Equal(0, nodes.Queries);
        Assert.Empty(nodes.Match(Doc));
    }
}
