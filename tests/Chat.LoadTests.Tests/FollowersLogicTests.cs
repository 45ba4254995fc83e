using System.Diagnostics;
using System.Text.Json;
using Chat.LoadTests.Followers;
using HdrHistogram;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The followers scenario's own logic: which comments an inbox count covers, and the counters read from /metrics.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class FollowersLogicTests
{
    private static long Ms(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    // Comments 1..4, each due at 100 ms * seq and acknowledged 20 ms later.
    private static readonly AckedComment[] Four = [.. Enumerable.Range(1, 4).Select(s => new AckedComment(s, Ms(100 * s), Ms(100 * s + 20)))];

    [Fact]
    public void A_count_covers_the_first_comments_in_seq_order_and_each_is_timed_from_its_own_ack()
    {
        // One watcher: a push counting 2 at 1,000 ms, then one counting 4 at 2,000 ms.
        var r = InboxLatency.Of(Four.Reverse().ToArray(), [[new InboxArrival(Ms(1000), 2), new InboxArrival(Ms(2000), 4)]], measureFrom: 0);

        Assert.Equal(4, r.Delivered);
        Assert.Equal(0, r.Missing);
        Assert.Equal(4, r.FromAck.TotalCount);
        // The least: seq 2, acked at 220 ms, told at 1,000 (780 ms); the most: seq 3, acked at 320, told at 2,000 (1,680 ms).
        Assert.InRange(r.FromAck.GetValueAtPercentile(0), 779_000, 781_000);
        Assert.InRange(r.FromAck.GetMaxValue(), 1_679_000, 1_681_000);
        // From due: 20 ms more each.
        Assert.InRange(r.FromDue.GetMaxValue(), 1_699_000, 1_701_000);
        // The newest comment of each round: seq 2 (780 ms) and seq 4 (1,580 ms).
        Assert.Equal(2, r.NewestFromAck.TotalCount);
        Assert.InRange(r.NewestFromAck.GetMaxValue(), 1_579_000, 1_581_000);
        Assert.Equal(2, r.Rounds);
    }

    [Fact]
    public void Warm_up_comments_count_in_the_inbox_but_not_in_the_latency_and_what_never_came_is_missing()
    {
        // Measured from 250 ms: seqs 1 and 2 are warm-up. The watcher heard of 3, never of 4.
        var r = InboxLatency.Of(Four, [[new InboxArrival(Ms(1000), 3)]], measureFrom: Ms(250));

        Assert.Equal(3, r.Delivered);
        Assert.Equal(1, r.Missing);
        Assert.Equal(1, r.FromAck.TotalCount);
        Assert.InRange(r.FromAck.GetMaxValue(), 679_000, 681_000);
    }

    [Fact]
    public void A_round_is_one_count_across_the_watchers_and_its_spread_is_first_to_last_arrival()
    {
        var watchers = new IReadOnlyList<InboxArrival>[]
        {
            [new(Ms(1000), 4)],
            [new(Ms(1040), 4)],
            [new(Ms(1010), 4)],
        };
        var r = InboxLatency.Of(Four, watchers, measureFrom: 0);

        Assert.Equal(1, r.Rounds);
        Assert.InRange(r.RoundSpread.GetMaxValue(), 39_000, 41_000);
        Assert.Equal(12, r.Delivered);
        Assert.Equal(0, r.Missing);
    }

    [Fact]
    public void A_push_told_before_its_comments_ack_reached_the_poster_counts_as_no_wait_and_a_count_past_the_comments_is_reported()
    {
        var r = InboxLatency.Of(Four, [[new InboxArrival(Ms(410), 4), new InboxArrival(Ms(500), 6)]], measureFrom: 0);

        Assert.Equal(1, r.FromAck.GetValueAtPercentile(0));
        Assert.Equal(2, r.OverCounted);
        Assert.Equal(4, r.Delivered);
    }

    [Fact]
    public void Counters_are_read_from_the_nodes_metrics_summed_and_a_counter_not_there_yet_is_zero()
    {
        const string silo = """
            # TYPE chat_comments_acknowledged_total counter
            chat_comments_acknowledged_total{otel_scope_name="Chat"} 100
            chat_followers_notified_total{otel_scope_name="Chat"} 2000
            orleans_messaging_processing_dispatcher_received_total{otel_scope_name="Microsoft.Orleans",Context="None",Direction="Request"} 999
            orleans_messaging_processing_dispatcher_received_total{otel_scope_name="Microsoft.Orleans",Context="Grain",Direction="Request"} 300
            orleans_messaging_processing_dispatcher_received_total{otel_scope_name="Microsoft.Orleans",Context="Grain",Direction="OneWay"} 2100
            orleans_storage_write_latency_milliseconds_count{otel_scope_name="Microsoft.Orleans"} 50
            """;
        const string web = "chat_comments_acknowledged_total{otel_scope_name=\"Chat\"} 0\n";

        var c = FanOutCounters.Parse([silo, web]);

        Assert.Equal(new FanOutCounters(100, 2000, 2400, 50), c);
        Assert.Equal(new FanOutCounters(0, 0, 0, 0), FanOutCounters.Parse([web]));
        Assert.Equal(20, FanOutCounters.PerComment(c.InboxCalls, c.Comments));
        Assert.Equal(0, FanOutCounters.PerComment(5, 0));
    }

    [Fact]
    public void The_followed_items_count_is_read_for_the_thread_only()
    {
        var page = JsonDocument.Parse("""
            {"unread":3,"items":[
              {"threadId":"other","kind":"followed","count":9},
              {"threadId":"t1","kind":"reply","count":null},
              {"threadId":"t1","kind":"followed","count":7}]}
            """).RootElement;

        Assert.Equal(7, InboxWatcher.FollowedCount(page, "t1"));
        Assert.Equal(0, InboxWatcher.FollowedCount(page, "t2"));
    }
}
