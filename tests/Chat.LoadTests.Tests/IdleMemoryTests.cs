using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>How idle-connections turns memory readings into a cost per connection, and reads its ladder of points.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class IdleMemoryTests
{
    private static IdleMemoryResult Result(params (int Connections, long Resident)[] points) =>
        new("product", points[^1].Connections, points[^1].Connections, "test", AfterFullGc: true,
            [.. points.Select(p => new IdleMemoryPoint(p.Connections, p.Resident, null))], ConnectionErrors: 0);

    [Fact]
    public void The_slope_is_what_each_more_connection_costs_across_the_ladder_leaving_out_the_empty_server()
    {
        // 100 MB empty, a one-time 40 MB with the first connections, then 30,000 bytes each, one reading 1 MB high.
        var r = Result((0, 100_000_000), (4_000, 260_000_000), (8_000, 381_000_000), (12_000, 500_000_000), (16_000, 620_000_000));

        Assert.Equal(29_975, r.SlopeBytesPerConnection);
        Assert.Equal(30_000, r.MarginalBytesPerConnection); // the last step alone
        Assert.Equal(32_500, r.BytesPerConnection);         // from none, one-time costs included
    }

    [Fact]
    public void Two_halves_give_no_slope_but_the_second_halfs_growth()
    {
        var r = Result((0, 100_000_000), (2_000, 200_000_000), (4_000, 280_000_000));

        Assert.Equal(40_000, r.MarginalBytesPerConnection);
        Assert.Equal(40_000, r.SlopeBytesPerConnection); // two points: the line through them
        Assert.Null(IdleMemoryResult.Slope([(4_000, 1)]));
    }

    [Theory]
    [InlineData("--readers 4000", new[] { 2_000, 4_000 })]
    [InlineData("--points 4000,8000,12000,16000", new[] { 4_000, 8_000, 12_000, 16_000 })]
    public void Points_are_the_ladder_given_or_the_readers_in_two_halves(string args, int[] expected)
    {
        var o = new Options(args.Split(' '));
        Assert.Equal(expected, IdleMemory.Points(o, o.Int("readers", 4_000)));
    }

    [Theory]
    [InlineData("8000,4000")]
    [InlineData("4000")]
    [InlineData("4000,x")]
    [InlineData("0,4000")]
    public void A_ladder_that_is_not_ascending_counts_is_refused_by_name(string points)
    {
        var e = Assert.Throws<UsageException>(() => IdleMemory.Points(new Options(["--points", points]), 4_000));
        Assert.Contains("--points", e.Message);
    }
}
