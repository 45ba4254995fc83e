using Chat.Grains.Threads;

namespace Chat.Grains.Tests;

/// <summary>
/// Which threads the busiest silo hands over: its surplus above the fair share, each to the silo
/// holding the fewest, and nothing from any other silo, so that silos reading the same counts never
/// move threads at each other.
/// </summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class ThreadBalancePlanTests
{
    private static IReadOnlyList<(string Thread, string Target)> Plan(string self, int maxMoves, params (string Silo, int Threads)[] silos) =>
        ThreadBalancePlan.Moves(silos.ToDictionary(s => s.Silo, s => (IReadOnlyList<string>)[.. Enumerable.Range(1, s.Threads).Select(i => $"{s.Silo}-t{i}")]),
            self, maxMoves, StringComparer.Ordinal);

    [Fact]
    public void Two_silos_joining_a_loaded_one_get_its_surplus_in_turn()
    {
        var moves = Plan("silo1", 100, ("silo1", 26), ("silo2", 24), ("silo3", 0), ("silo4", 0));
        // 50 threads on 4 silos: a share of 12-13; silo1 keeps 13 and gives 13, to silo3 and silo4 in turn.
        Assert.Equal(13, moves.Count);
        Assert.Equal(7, moves.Count(m => m.Target == "silo3"));
        Assert.Equal(6, moves.Count(m => m.Target == "silo4"));
        Assert.All(moves, m => Assert.StartsWith("silo1-", m.Thread));
    }

    [Fact]
    public void Only_the_busiest_silo_moves_and_never_more_than_asked_at_once()
    {
        Assert.Empty(Plan("silo2", 100, ("silo1", 26), ("silo2", 24), ("silo3", 0)));
        Assert.Equal(3, Plan("silo1", 3, ("silo1", 26), ("silo2", 24), ("silo3", 0)).Count);
        // A tie for the most: the first in order acts.
        Assert.NotEmpty(Plan("silo1", 100, ("silo1", 10), ("silo2", 10), ("silo3", 0)));
        Assert.Empty(Plan("silo2", 100, ("silo1", 10), ("silo2", 10), ("silo3", 0)));
    }

    [Fact]
    public void A_spread_within_one_of_the_share_or_a_lone_silo_moves_nothing()
    {
        Assert.Empty(Plan("silo1", 100, ("silo1", 11), ("silo2", 10), ("silo3", 10)));
        Assert.Empty(Plan("silo1", 100, ("silo1", 1), ("silo2", 0))); // one thread cannot be shared
        Assert.Empty(Plan("silo1", 100, ("silo1", 40)));
    }

    [Fact]
    public void Moving_what_the_plan_says_each_period_converges_to_the_share()
    {
        var counts = new Dictionary<string, int> { ["silo1"] = 70, ["silo2"] = 30, ["silo3"] = 0, ["silo4"] = 0 };
        for (var period = 0; period < 20; period++)
            foreach (var self in counts.Keys.ToList())
                foreach (var (_, target) in Plan(self, 10, [.. counts.Select(kv => (kv.Key, kv.Value))]))
                    (counts[self], counts[target]) = (counts[self] - 1, counts[target] + 1);
        Assert.All(counts.Values, n => Assert.Equal(25, n));
    }
}
