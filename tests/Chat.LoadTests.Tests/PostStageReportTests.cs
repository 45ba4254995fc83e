using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The load tool's breakdown of a post's time, read from two scrapes of the product's stage histogram.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class PostStageReportTests
{
    private static string Scrape(string stage, double sum, params (string Le, double Count)[] buckets) =>
        string.Join('\n', buckets.Select(b => $"chat_post_stage_duration_milliseconds_bucket{{otel_scope_name=\"Chat\",stage=\"{stage}\",le=\"{b.Le}\"}} {b.Count}"))
        + $"\nchat_post_stage_duration_milliseconds_sum{{otel_scope_name=\"Chat\",stage=\"{stage}\"}} {sum}"
        + $"\nchat_post_stage_duration_milliseconds_count{{otel_scope_name=\"Chat\",stage=\"{stage}\"}} {buckets[^1].Count}\n";

    [Fact]
    public void Only_what_happened_between_the_scrapes_counts_and_percentiles_fall_in_the_right_buckets()
    {
        // Before: 10 comments took under 1 ms. Between: 100 more, 50 in 1-2 ms, 49 in 2-5 ms, 1 in 50-100 ms.
        var before = PostStageReport.Parse([Scrape("storage_write", 5, ("1", 10), ("2", 10), ("5", 10), ("50", 10), ("100", 10), ("+Inf", 10))])!;
        var after = PostStageReport.Parse([Scrape("storage_write", 5 + 300, ("1", 10), ("2", 60), ("5", 109), ("50", 109), ("100", 110), ("+Inf", 110))])!;

        var stage = Assert.Single(PostStageReport.Between(before, after));

        Assert.Equal("storage_write", stage.Stage);
        Assert.Equal(100, stage.Comments);
        Assert.Equal(3.0, stage.MeanMs);
        Assert.Equal(2.0, stage.P50Ms); // the 50th of 100 is the last in 1-2 ms
        Assert.InRange(stage.P99Ms, 4.9, 5.0); // the 99th is the last in 2-5 ms, not the slow one
    }

    [Fact]
    public void Nodes_add_up_the_ack_latency_is_the_hub_stage_and_a_product_without_the_histograms_gives_no_breakdown()
    {
        // The web node's ack latency has no stage label: the report shows it as the outermost stage, "hub".
        var one = Scrape("hub", 10, ("10", 2), ("+Inf", 2)).Replace("chat_post_stage_duration", "chat_post_ack_latency").Replace(",stage=\"hub\"", "");
        var both = PostStageReport.Parse([one, one])!;
        var none = PostStageReport.Parse(["# TYPE something_else counter\nsomething_else 3\n"]);

        Assert.Equal(4, both.Totals["hub"].Count);
        Assert.Null(none);
        var sinceStart = Assert.Single(PostStageReport.Between(new PostStageReport.Snapshot([], []), both));
        Assert.Equal((4, 5.0), (sinceStart.Comments, sinceStart.MeanMs));
    }
}
