using Chat.LoadTests.Chaos;
using Xunit;
using PostOutcome = Chat.LoadTests.Chaos.PostOutcome;

namespace Chat.LoadTests.Tests;

/// <summary>The chaos checker and schedule on made-up histories: each broken invariant is reported, a clean history passes, a seed replays.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class ChaosCheckerTests
{
    private static readonly int A = ReaderRecord.BodyHash("a"), B = ReaderRecord.BodyHash("b"), C = ReaderRecord.BodyHash("c");

    private static PostOutcome Acked(string clientId, long seq, int hash) => new(clientId, hash, 1, 1.1, seq, true, false, "ack", 1);
    private static PostAttempt Ack(string clientId, long seq) => new(clientId, 1, "web1", 1, 1.1, "ack", seq);

    private static Dictionary<string, long> Violations(IReadOnlyList<StoredRow> stored, IReadOnlyList<PostOutcome> posts, IReadOnlyList<PostAttempt> attempts,
        params (long Seq, int AtMs, int BodyHash)[][] readers) =>
        ChaosChecker.Invariants(stored, posts, attempts, readers).ToDictionary(i => i.Name, i => i.Violations);

    private static readonly StoredRow[] Clean = [new(1, "a", A), new(2, "b", B), new(3, "c", C)];
    private static readonly PostOutcome[] CleanPosts = [Acked("a", 1, A), Acked("b", 2, B), Acked("c", 3, C)];
    private static readonly PostAttempt[] CleanAttempts = [Ack("a", 1), Ack("b", 2), Ack("c", 3)];
    private static readonly (long, int, int)[] CleanReader = [(1, 10, A), (2, 20, B), (3, 30, C)];

    [Fact]
    public void A_clean_history_breaks_nothing()
    {
        Assert.All(Violations(Clean, CleanPosts, CleanAttempts, CleanReader, CleanReader).Values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void An_acknowledged_comment_missing_from_storage_is_lost_and_leaves_a_hole()
    {
        var v = Violations([Clean[0], Clean[2]], CleanPosts, CleanAttempts, [(1, 10, A), (3, 30, C)]);
        Assert.Equal(1, v["every acknowledged comment is stored"]);
        Assert.Equal(1, v["seqs 1..N stored without a hole"]);
        Assert.Equal(1, v["... and in order"]); // the reader was given 3 right after 1
    }

    [Fact]
    public void A_comment_stored_twice_and_a_seq_with_two_comments_are_reported()
    {
        var v = Violations([.. Clean, new StoredRow(4, "c", C)], CleanPosts, [.. CleanAttempts, Ack("x", 3)], CleanReader);
        Assert.Equal(1, v["... exactly once"]);
        Assert.Equal(1, v["no seq carries two different comments"]);
        Assert.Equal(1, v["every reader ends with 1..N"]); // storage goes to 4, the reader to 3

        var otherBody = Violations(Clean, CleanPosts, CleanAttempts, [(1, 10, A), (2, 20, C), (3, 30, C)]);
        Assert.Equal(1, otherBody["no seq carries two different comments"]);
    }

    [Fact]
    public void A_reader_given_a_seq_twice_or_out_of_order_is_reported()
    {
        var v = Violations(Clean, CleanPosts, CleanAttempts, CleanReader, [(1, 10, A), (2, 20, B), (2, 25, B), (3, 30, C)], [(2, 20, B), (1, 21, A), (3, 30, C)]);
        Assert.Equal(2, v["... each exactly once"]); // the repeated 2, and the 1 after 2
        Assert.Equal(1, v["... and in order"]);
    }

    [Fact]
    public void A_post_reported_refused_yet_stored_is_acked_and_failed()
    {
        PostOutcome[] posts = [CleanPosts[0], CleanPosts[1], new("c", C, 1, 2, 0, false, true, "status:400", 1)];
        var v = Violations(Clean, posts, CleanAttempts[..2], CleanReader);
        Assert.Equal(1, v["no post both acknowledged and reported failed"]);
    }

    [Fact]
    public void Posting_is_back_when_the_last_slow_post_of_a_fault_ended()
    {
        FaultRecord[] faults = [new("10s kill silo:thread for 3s", "silo1", 10, 13, null)];
        PostOutcome[] posts = [new("a", A, 9.5, 9.6, 1, true, false, "ack", 1), new("b", B, 10.2, 16.0, 2, true, false, "ack", 3), new("c", C, 16.5, 16.6, 3, true, false, "ack", 1)];
        var impact = ChaosChecker.Impacts(faults, [], posts, [[(1, 9_700, A), (2, 16_500, B), (3, 16_700, C)]], TimeSpan.FromSeconds(1)).Single();
        Assert.Equal(6.0, impact.PostingBackAfter!.Value, 3);
        Assert.Equal(6.5, impact.ReadersCaughtUpAfter!.Value, 3);
        Assert.Equal(1, impact.SpoiledPosts);
    }

    [Fact]
    public void A_seed_gives_the_same_schedule_and_the_printed_schedule_replays_it()
    {
        var kinds = FaultSchedule.Kinds;
        var one = FaultSchedule.Generate(42, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), kinds, 3, 2, TimeSpan.FromSeconds(15));
        var again = FaultSchedule.Generate(42, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), kinds, 3, 2, TimeSpan.FromSeconds(15));
        Assert.Equal(one, again);
        Assert.InRange(one.Count, 18, 40);
        Assert.All(one.Zip(one.Skip(1)), p => Assert.InRange((p.Second.At - p.First.At).TotalSeconds, 14.9, 30.1));
        Assert.Equal(one, FaultSchedule.Parse(FaultSchedule.Format(one)));
    }

    [Theory]
    [InlineData("10s explode silo:1")]
    [InlineData("10s kill azurite")]
    [InlineData("10s partition silo-moon for 3s")]
    [InlineData("kill silo:1")]
    public void A_bad_schedule_is_refused_with_the_syntax(string schedule)
    {
        var e = Assert.Throws<UsageException>(() => FaultSchedule.Parse(schedule));
        Assert.StartsWith("--schedule", e.Message);
    }
}
