namespace Chat.Grains.Tests;

[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class RankingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Hot_orders_known_threads_by_points_and_activity_decaying_with_age()
    {
        var threads = new (string Name, long Points, long Comments, double AgeHours)[]
        {
            ("old-popular", 100, 50, 48),   // (100+10+1)/50^1.8 ≈ 0.097
            ("fresh-empty", 0, 0, 0),       // 1/2^1.8 ≈ 0.287
            ("fresh-voted", 10, 0, 1),      // 11/3^1.8 ≈ 1.52
            ("hour-chatty", 0, 100, 1),     // 21/3^1.8 ≈ 2.90
            ("day-old", 5, 5, 24),          // 7/26^1.8 ≈ 0.0196
        };

        var order = threads
            .OrderByDescending(t => Ranking.Hot(t.Points, t.Comments, Now.AddHours(-t.AgeHours), Now))
            .Select(t => t.Name);

        Assert.Equal(new[] { "hour-chatty", "fresh-voted", "fresh-empty", "old-popular", "day-old" }, order);
        Assert.Equal(11 / Math.Pow(3, 1.8), Ranking.Hot(10, 0, Now.AddHours(-1), Now), 9);
    }

    [Fact]
    public void A_thread_from_the_future_clock_skew_scores_as_brand_new()
    {
        Assert.Equal(Ranking.Hot(3, 0, Now, Now), Ranking.Hot(3, 0, Now.AddMinutes(5), Now));
    }
}
