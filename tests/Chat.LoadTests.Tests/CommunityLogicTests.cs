using System.Diagnostics;
using Chat.LoadTests.Community;
using HdrHistogram;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The community scenario's own logic: popularity, merging workers' histograms, the due-time clock.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class CommunityLogicTests
{
    [Fact]
    public void Zipf_samples_match_the_distribution()
    {
        var zipf = new Zipf(300, 1.1);
        var random = new Random(7);
        const int n = 200_000;
        var counts = new int[zipf.Count];
        for (var i = 0; i < n; i++) counts[zipf.Sample(random)]++;

        Assert.Equal(1.0, Enumerable.Range(0, zipf.Count).Sum(zipf.Probability), 9);
        // The head, rank by rank, within 5% of its expected count (each is thousands of samples).
        for (var k = 0; k < 10; k++)
            Assert.InRange(counts[k], zipf.Probability(k) * n * 0.95, zipf.Probability(k) * n * 1.05);
        // The tail as a whole, and the ratio of rank 1 to rank 2 (2^1.1).
        var tail = Enumerable.Range(100, 200).Sum(k => zipf.Probability(k));
        Assert.InRange(counts[100..].Sum(), tail * n * 0.95, tail * n * 1.05);
        Assert.InRange((double)counts[0] / counts[1], Math.Pow(2, 1.1) * 0.95, Math.Pow(2, 1.1) * 1.05);
    }

    [Fact]
    public void Zipf_with_s_zero_is_uniform()
    {
        var zipf = new Zipf(4, 0);
        Assert.All(Enumerable.Range(0, 4), k => Assert.Equal(0.25, zipf.Probability(k), 9));
    }

    [Fact]
    public void Merging_workers_encoded_histograms_equals_recording_everything_in_one()
    {
        var random = new Random(3);
        var all = Stats.NewHistogram();
        var encoded = new List<string>();
        for (var worker = 0; worker < 3; worker++)
        {
            var mine = Stats.NewHistogram();
            for (var i = 0; i < 10_000; i++)
            {
                // Latencies from 1 µs to minutes, heavy-tailed, and a different spread per worker.
                var v = (long)Math.Clamp(Math.Exp(random.NextDouble() * 12 + worker), 1, 600_000_000);
                mine.RecordValue(v);
                all.RecordValue(v);
            }
            encoded.Add(HistogramCodec.Encode(mine));
        }
        encoded.Add(HistogramCodec.Encode(Stats.NewHistogram())); // a worker that saw nothing

        var merged = HistogramCodec.Merge(encoded);

        Assert.Equal(all.TotalCount, merged.TotalCount);
        Assert.Equal(all.GetMaxValue(), merged.GetMaxValue());
        foreach (var p in new[] { 0.0, 50, 90, 99, 99.9, 100 })
            Assert.Equal(all.GetValueAtPercentile(p), merged.GetValueAtPercentile(p));
        Assert.Equal(Percentiles.Of(all), Percentiles.Of(merged));
    }

    [Fact]
    public void A_late_posts_latency_counts_from_when_it_was_due()
    {
        var f = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var due = DueClock.DueAt(start, ratePerSec: 10, k: 5); // the sixth post of 10/s: due 0.5 s in
        Assert.Equal(start + f / 2, due, f / 1000);

        // It left 300 ms late (the generator was behind) and reached a reader 10 ms after it left.
        var sent = due + f * 300 / 1000;
        var delivered = sent + f * 10 / 1000;
        var body = CommentBodies.Body(due, 42, 200, new Random(1));
        Assert.Equal(due, Stamp.SentAt(body));

        var stats = new Stats();
        var ledger = new SeqLedger<(long Seq, long Sent)>(stats, c => c.Seq, c => c.Sent);
        ledger.Take(new[] { (1L, Stamp.SentAt(body)) }, Arrival.Push, delivered);
        var h = stats.Delivery.GetIntervalHistogram();
        Assert.Equal(1, h.TotalCount);
        Assert.InRange(h.GetMaxValue(), 309_000, 311_000); // µs: 310 ms, not the 10 ms since it left

        // Posts due before the measured time (the warm-up) are not counted, however late they arrive.
        stats.MeasureFrom = due + 1;
        ledger.Take(new[] { (2L, due) }, Arrival.Push, delivered + f);
        Assert.Equal(0, stats.Delivery.GetIntervalHistogram().TotalCount);
        Assert.Equal(2, stats.Deliveries);
    }

    [Fact]
    public void Bodies_are_sized_like_a_discussion()
    {
        var random = new Random(5);
        var lengths = Enumerable.Range(0, 20_000).Select(_ => CommentBodies.Length(random, 200, 640)).Order().ToArray();
        Assert.InRange(lengths[lengths.Length / 2], 190, 210);
        Assert.Equal(640, lengths[^1]);
        var body = CommentBodies.Body(123, 7, 250, random);
        Assert.StartsWith("lt:123:7 ", body);
        Assert.Equal(250, body.Length);
    }

    [Fact]
    public void Thread_activations_are_read_from_the_orleans_catalog_gauge_on_a_silos_metrics()
    {
        // As a silo of the product exports them (copied from one).
        const string metrics = """
            # TYPE orleans_catalog_activations gauge
            orleans_catalog_activations{otel_scope_name="Microsoft.Orleans",grain_type="thread"} 17
            orleans_catalog_activations{otel_scope_name="Microsoft.Orleans",grain_type="user"} 40
            orleans_grains{otel_scope_name="Microsoft.Orleans",grain_type="thread"} 99
            """;
        Assert.Equal(17, CommunityScenario.ThreadActivations(metrics));
    }

    [Fact]
    public void Generator_processes_connect_from_loopback_addresses_of_their_own()
    {
        // Each source address has ~28,000 ports for every connection from it, across processes:
        // workers that shared 127.0.0.2 stalled at 28,000 connections together.
        var ranges = Enumerable.Range(0, 31).Select(i => (First: CommunityWorker.SourceAddressesFor(i), Last: CommunityWorker.SourceAddressesFor(i) + 7)).ToArray();
        Assert.Equal(2, ranges[0].First);
        Assert.All(ranges.Zip(ranges.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First));
        Assert.True(ranges[^1].Last <= 254);
        Assert.Throws<ArgumentOutOfRangeException>(() => CommunityWorker.SourceAddressesFor(31));
    }
}
