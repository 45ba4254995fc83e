using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The ramp's bookkeeping: late deliveries filed under their post's step, figures over rounds as median and range.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class RampLogicTests
{
    [Fact]
    public void A_delivery_counts_in_the_step_its_post_was_due_in_however_late_it_arrives()
    {
        var ledger = new RampLedger();
        ledger.RecordDelivery(dueTicks: 50, micros: 1_000_000); // due before the first step: the warm-up's
        ledger.BeginStep(100);
        for (var i = 0; i < 9; i++) ledger.RecordDelivery(150, 10_000);
        ledger.BeginStep(200);
        ledger.RecordDelivery(250, 20_000);
        // Arriving now, during the second step (or after the ramp), but due in the first: a slow one.
        ledger.RecordDelivery(199, 900_000);
        ledger.RecordAck(120, 5_000);

        var (count, p99) = ledger.Deliveries(0);
        Assert.Equal(10, count);
        Assert.InRange(p99, 899, 901); // the late one is the step's p99 (HdrHistogram keeps 3 significant digits)
        Assert.Equal((1L, 20.0), ledger.Deliveries(1));
        Assert.Equal((1L, 5.0), ledger.Acks(0));
        Assert.Equal((0L, 0.0), ledger.Acks(1));
    }

    [Fact]
    public void Steps_begin_in_time_order()
    {
        var ledger = new RampLedger();
        ledger.BeginStep(200);
        Assert.Throws<ArgumentException>(() => ledger.BeginStep(100));
    }

    [Fact]
    public void Rounds_give_each_target_the_median_and_range_of_its_limits()
    {
        var results = new[] { ("baseline #1", 700.0), ("product #1", 500.0), ("baseline #2", 660.0), ("product #2", 540.0), ("baseline #3", 740.0), ("product #3", 580.0) }
            .Select(x => new RampResult(x.Item1, x.Item2, x.Item2 * 2_000, x.Item2 * 3_000, 0, [], null!)).ToArray();

        var summary = RampSummary.Of(results, ["baseline", "product"]);

        Assert.Equal(["baseline", "product"], summary.Select(s => s.Target));
        Assert.Equal(new Spread(700, 660, 740), summary[0].HighestRateWithinLimit);
        Assert.Equal(new Spread(540, 500, 580), summary[1].HighestRateWithinLimit);
        Assert.Equal(new Spread(1_620_000, 1_500_000, 1_740_000), summary[1].SaturationDeliveriesPerSec);
        Assert.Equal(3, summary[1].Rounds);
        // One round: the median is the value and the range is empty; an even count takes the upper middle, a measured value.
        Assert.Equal(new Spread(5, 5, 5), Spread.Of([5]));
        Assert.Equal(new Spread(3, 1, 4), Spread.Of([4, 1, 3, 2]));
    }
}
