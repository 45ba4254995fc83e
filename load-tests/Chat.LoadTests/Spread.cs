using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>
/// A figure over rounds: the median (the upper middle of an even count, a value that was measured)
/// and the range. A difference between two targets inside their ranges is not yet a difference.
/// </summary>
public sealed record Spread(double Median, double Min, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("A spread needs at least one value.", nameof(values));
        return new(sorted[sorted.Length / 2], sorted[0], sorted[^1]);
    }

    public override string ToString() => Min == Max ? $"{Median:0}" : $"{Median:0} ({Min:0}-{Max:0})";
}

/// <summary>One target's ramps over the rounds: its two limits as median and range.</summary>
public sealed record RampSummary(string Target, int Rounds, Spread HighestRateWithinLimit, Spread DeliveriesPerSecWithinLimit, Spread SaturationDeliveriesPerSec)
{
    /// <summary>Groups results labelled "target" or "target #round" by target, in the order given.</summary>
    public static RampSummary[] Of(IReadOnlyList<RampResult> results, IReadOnlyList<string> targets) =>
        [.. targets.Select(t => results.Where(r => r.Target == t || r.Target.StartsWith(t + " #", StringComparison.Ordinal)).ToArray())
            .Where(rs => rs.Length > 0)
            .Select(rs => new RampSummary(BaseName(rs[0].Target), rs.Length,
                Spread.Of(rs.Select(r => r.HighestRateWithinLimit)), Spread.Of(rs.Select(r => r.DeliveriesPerSecWithinLimit)), Spread.Of(rs.Select(r => r.SaturationDeliveriesPerSec))))];

    private static string BaseName(string label) => label.Split(" #")[0];

    public static Table Table(IReadOnlyList<RampSummary> summary, RampSettings r)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]ramp over the rounds: median (range)[/]");
        foreach (var c in new[] { "target", "rounds", $"posts/s within {r.P99LimitMs} ms", "deliveries/s there", "most deliveries/s" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var x in summary)
            t.AddRow(Markup.Escape(x.Target), $"{x.Rounds}", $"{x.HighestRateWithinLimit}", $"{x.DeliveriesPerSecWithinLimit}", $"{x.SaturationDeliveriesPerSec}");
        return t;
    }
}
