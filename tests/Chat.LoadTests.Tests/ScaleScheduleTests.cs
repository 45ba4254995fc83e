using Chat.LoadTests.Community;
using HdrHistogram;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>`community --scale`: the schedule as operators write it, and what each move's window reports, on recorded data.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class ScaleScheduleTests
{
    [Fact]
    public void The_bare_flag_adds_two_silos_removes_them_then_adds_and_removes_a_web_node_30_s_apart()
    {
        var steps = ScaleSchedule.Parse(null, silos: 2, webs: 3);

        Assert.Equal(["30:+silo", "60:+silo", "90:-silo", "120:-silo", "150:+web", "180:-web"], steps.Select(s => s.Text));
        Assert.Equal(TimeSpan.FromSeconds(210), ScaleSchedule.Needs(steps));
    }

    [Fact]
    public void A_schedule_of_ones_own_takes_seconds_or_durations_and_either_separator()
    {
        var steps = ScaleSchedule.Parse(" 10:+silo; 25s:-SILO, 1m:+web ,90:-web", silos: 1, webs: 1);

        Assert.Equal([ScaleAction.AddSilo, ScaleAction.RemoveSilo, ScaleAction.AddWeb, ScaleAction.RemoveWeb], steps.Select(s => s.Action));
        Assert.Equal([10.0, 25, 60, 90], steps.Select(s => s.At.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(120), ScaleSchedule.Needs(steps));
    }

    [Theory]
    [InlineData("30+silo", "is not AT:ACTION")]
    [InlineData("soon:+silo", "is not a time")]
    [InlineData("30:+db", "is not one of +silo, -silo, +web, -web")]
    [InlineData("0:+silo", "after the start")]
    [InlineData("60:+silo,30:+web", "in time order")]
    [InlineData("30:-silo,60:-silo", "would leave no silo")]
    [InlineData("30:-web", "would leave no web node")]
    [InlineData(" , ", "has no moves")]
    public void A_malformed_schedule_is_refused_naming_the_flag(string text, string why)
    {
        var e = Assert.Throws<UsageException>(() => ScaleSchedule.Parse(text, silos: 2, webs: 1));

        Assert.StartsWith("--scale", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public async Task With_urls_scale_is_refused_before_anything_starts()
    {
        var e = await Assert.ThrowsAsync<UsageException>(() => CommunityScenario.RunAsync(
            new Options(["--urls", "http://127.0.0.1:1", "--scale"]), new Ui(live: false), CancellationToken.None));

        Assert.Contains("--scale", e.Message);
        Assert.Contains("--urls", e.Message);
    }

    [Fact]
    public void A_reader_that_moves_node_and_rejoins_after_its_last_seq_counts_nothing_lost_or_duplicated()
    {
        var ledger = new SeqLedger<(long Seq, long Sent)>(new Stats(), c => c.Seq, c => c.Sent);
        ledger.Take(new[] { (1L, 1L), (2L, 1L), (4L, 1L) }, Arrival.Push, 10); // 3 is still on its way when the node goes away
        Assert.Equal(2, ledger.LastSeq);

        // On the next node: the join after seq 2 brings 3-6 (posted meanwhile), and that node's relay
        // pushes 4-7 again (each node relays on its own): a repeat across connections, not a duplicate.
        ledger.Rejoin();
        ledger.Take(new[] { (3L, 1L), (4L, 1L), (5L, 1L), (6L, 1L) }, Arrival.Join, 20, knownLast: 6);
        ledger.Take(new[] { (4L, 1L), (5L, 1L), (6L, 1L), (7L, 1L) }, Arrival.Push, 30);

        Assert.Equal(7, ledger.LastSeq);
        Assert.Equal((0L, 0L), ledger.Verify(7));
        Assert.Equal((0L, 0L), (ledger.Duplicated, ledger.OutOfOrder));
        // The same seq pushed twice on one connection still is a duplicate.
        ledger.Take(new[] { (7L, 1L) }, Arrival.Push, 40);
        Assert.Equal(1, ledger.Duplicated);
    }

    [Fact]
    public void A_thread_that_answers_in_normal_time_shows_about_its_slowest_ack_and_one_that_stalled_shows_the_stall()
    {
        PostTrace[] posts =
        [
            // Thread 0: every 0.5 s, each acknowledged in 50 ms.
            .. Enumerable.Range(0, 20).Select(i => new PostTrace(0, 10 + i * 0.5, 10 + i * 0.5 + 0.05, 1, false)),
            // Thread 1: posts at 12, 12.5 and 13 s all wait until 15.2 s (the node went away), then 50 ms again.
            new PostTrace(1, 12, 15.2, 2, false), new PostTrace(1, 12.5, 15.2, 2, false), new PostTrace(1, 13, 15.2, 1, false),
            new PostTrace(1, 16, 16.05, 1, false),
        ];

        Assert.Equal(0.05, ScaleWindows.LongestWait(posts.Where(p => p.Thread == 0).ToList(), 10, 20, 30), 6);
        Assert.Equal(3.2, ScaleWindows.LongestWait(posts, 10, 20, 30), 6);
        // Clipped to the window: only the part of the stall inside it.
        Assert.Equal(1.2, ScaleWindows.LongestWait(posts, 14, 20, 30), 6);
        // A post never answered waits until the end of the run (or of the window).
        Assert.Equal(5, ScaleWindows.LongestWait([new PostTrace(2, 25, null, 3, false)], 20, 40, 30), 6);
    }

    [Fact]
    public void Each_move_counts_the_posts_due_in_its_window_up_to_60_s_or_the_next_move()
    {
        ScaleRecord[] moves =
        [
            new(30, "+silo", "silo3", 4.1, new() { ["silo1"] = 10, ["silo2"] = 9, ["silo3"] = 1 }),
            new(60, "-web", "web3", 2.0, new() { ["silo1"] = 10, ["silo2"] = 10, ["silo3"] = 0 }),
        ];
        PostTrace[] posts =
        [
            new(0, 20, 20.05, 1, false), // before the first move: in no window
            new(0, 31, 31.04, 1, false),
            new(0, 45, 45.2, 1, false),
            new(3, 59.9, 60.1, 1, false),
            new(1, 61, 62.5, 2, false), // retried on another node, answered
            new(1, 61.2, 62.5, 3, false),
            new(2, 62, 92, 4, true), // refused in the end: an error, and a retried one
            new(2, 125, 125.1, 1, false), // after the second move's 60 s
            new(4, -3, -2.5, 1, false), // in the warm-up, before the measured time
        ];
        var seconds = new List<(double, HistogramBase)>();
        for (var t = 1; t <= 130; t++)
        {
            var h = Stats.NewHistogram();
            h.RecordValue(t is > 60 and <= 70 ? 900_000 : 40_000); // 900 ms deliveries in the 10 s after the web node went away
            seconds.Add((t, h));
        }

        var events = ScaleWindows.Compute(moves, posts, seconds, runEnd: 130);

        Assert.Equal(2, events.Count);
        var (first, second) = (events[0], events[1]);
        Assert.Equal((30.0, "+silo", "silo3", 30.0), (first.AtSeconds, first.Action, first.Node, first.WindowSeconds));
        Assert.Equal((3L, 0L, 0L), (first.Posts, first.PostErrors, first.RetriedPosts));
        Assert.Equal(40, first.LatencyMsP99, 0);
        Assert.Equal(200, first.AckMsP99, 0);
        Assert.Equal(200, first.UnavailableMs);
        Assert.Equal(1, first.ActivationsBySilo["silo3"]);
        Assert.Equal((60.0, 60.0), (second.AtSeconds, second.WindowSeconds));
        Assert.Equal((3L, 1L, 3L), (second.Posts, second.PostErrors, second.RetriedPosts));
        Assert.InRange(second.LatencyMsP99, 899, 901);
        Assert.InRange(second.AckMsP99, 1499, 1501);
        Assert.Equal(30_000, second.UnavailableMs); // thread 2's post waited from 62 s until it failed at 92 s
    }

    [Fact]
    public void Every_silo_holds_half_its_fair_share_when_none_has_under_half_the_average()
    {
        Assert.True(ScaleWindows.HalfFairShare(new Dictionary<string, long> { ["silo1"] = 20, ["silo2"] = 20, ["silo3"] = 10 })); // fair 16.7, half 8.3
        Assert.False(ScaleWindows.HalfFairShare(new Dictionary<string, long> { ["silo1"] = 25, ["silo2"] = 20, ["silo3"] = 5 }));
        Assert.False(ScaleWindows.HalfFairShare(new Dictionary<string, long> { ["silo1"] = 50, ["silo2"] = 0 }));
        Assert.True(ScaleWindows.HalfFairShare(new Dictionary<string, long> { ["silo1"] = 0, ["silo2"] = 0 })); // nothing to share
    }

    [Fact]
    public void An_added_silo_s_fair_share_time_is_when_every_silo_reached_half_its_share_and_held_it()
    {
        var added = new ScaleRecord(30, "+silo", "silo3", 2, []);
        ActivationSample[] samples =
        [
            new(25, new() { ["silo1"] = 30, ["silo2"] = 20, ["silo3"] = 0 }), // before the move: not counted
            new(35, new() { ["silo1"] = 30, ["silo2"] = 20 }), // the new silo not read yet
            new(40, new() { ["silo1"] = 30, ["silo2"] = 20, ["silo3"] = 0 }),
            new(60, new() { ["silo1"] = 22, ["silo2"] = 19, ["silo3"] = 9 }), // fair 16.7: 9 is over half, but it does not hold
            new(80, new() { ["silo1"] = 4, ["silo2"] = 16, ["silo3"] = 30 }), // swung past: silo1 under half
            new(95, new() { ["silo1"] = 18, ["silo2"] = 16, ["silo3"] = 16 }),
            new(120, new() { ["silo1"] = 17, ["silo2"] = 16, ["silo3"] = 17 }),
        ];
        Assert.Equal(65, ScaleWindows.FairShareSeconds(added, samples));
        // The watch ends at the next removal of a silo: by then the share was not held.
        Assert.Null(ScaleWindows.FairShareSeconds(added, samples, until: 85));
        // Reached only after five minutes, or not an added silo: none.
        Assert.Null(ScaleWindows.FairShareSeconds(added, [new(331, new() { ["silo1"] = 17, ["silo2"] = 17, ["silo3"] = 16 })]));
        Assert.Null(ScaleWindows.FairShareSeconds(new ScaleRecord(30, "-silo", "silo3", 1, []), samples));
        // Carried into the scale events, the watch cut at the next silo removal.
        Assert.Equal(65, ScaleWindows.Compute([added, new ScaleRecord(200, "-silo", "silo3", 1, [])], [], [], runEnd: 220, samples)[0].FairShareSeconds);
        Assert.Null(ScaleWindows.Compute([added, new ScaleRecord(90, "-silo", "silo3", 1, [])], [], [], runEnd: 220, samples)[0].FairShareSeconds);
    }

    [Fact]
    public void The_web_nodes_retries_in_a_window_are_the_growth_of_their_counter_across_it()
    {
        ActivationSample[] samples =
        [
            new(25, [], ServerRetries: 2),
            new(30, [], ServerRetries: 2),
            new(35, [], ServerRetries: 5), // three retries as a silo stopped at 30 s
            new(90, [], ServerRetries: 5),
            new(95, [], ServerRetries: 6),
        ];
        Assert.Equal(3, ScaleWindows.ServerRetries(samples, 30, 90));
        Assert.Equal(1, ScaleWindows.ServerRetries(samples, 90, 150)); // past the last reading: up to it
        Assert.Equal(2, ScaleWindows.ServerRetries(samples, 0, 25)); // before the first reading: from 0
        Assert.Equal(0, ScaleWindows.ServerRetries([], 0, 60));
        var events = ScaleWindows.Compute([new ScaleRecord(30, "-silo", "silo3", 1, [])], [], [], runEnd: 90, samples);
        Assert.Equal(3, events[0].ServerRetries);
    }
}
