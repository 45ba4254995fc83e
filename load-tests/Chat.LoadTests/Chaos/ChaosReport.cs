using ScottPlot;
using Spectre.Console;

namespace Chat.LoadTests.Chaos;

/// <summary>What a chaos run found (written as JSON to --out).</summary>
public sealed record ChaosResult
{
    public required string Schedule { get; init; }
    public int? Seed { get; init; }
    public required string Replay { get; init; }
    public required ChaosSettings Settings { get; init; }
    public bool Partitions { get; init; }
    public long Posts { get; init; }
    public long Acked { get; init; }
    public long PostErrors { get; init; }
    public long Attempts { get; init; }
    public long FailedAttempts { get; init; }
    public long Stored { get; init; }
    public long ReadersCaughtUp { get; init; }
    public long Reconnects { get; init; }
    public long PushedTwice { get; init; }
    public long PushedOutOfOrder { get; init; }
    public required Invariant[] Invariants { get; init; }
    public required FaultImpact[] Faults { get; init; }
    /// <summary>Readers that did not catch up, as they were at the end (at most 20).</summary>
    public string[] StuckReaders { get; init; } = [];
    /// <summary>Every process the run started (all stopped by the time it exits).</summary>
    public int[] ProcessIds { get; init; } = [];
    public long Lost => Count("every acknowledged comment is stored");
    public long Duplicated => Count("... exactly once") + Count("... each exactly once");
    public long OutOfOrder => Count("... and in order");
    public long AckedAndFailed => Count("no post both acknowledged and reported failed");
    public bool Passed => Invariants.All(i => i.Holds);
    private long Count(string name) => Invariants.Where(i => i.Name == name).Sum(i => i.Violations);
}

/// <summary>The table, the JSON and the timeline plot of a chaos run.</summary>
public static class ChaosReport
{
    public static void Write(ChaosResult result, Ui ui)
    {
        var faults = new Table().Border(TableBorder.Rounded).Title("[bold]faults[/]")
            .Caption("posting back / readers caught up: seconds from the fault's start (its duration included) until posts (retries included) are acknowledged within --slow again, and until every reader holds every comment acknowledged by then; - = never");
        foreach (var c in new[] { "fault", "node", "start s", "end s", "posting back s", "readers caught up s", "failed attempts", "posts failed or slow", "note" })
            faults.AddColumn(new TableColumn(c));
        foreach (var f in result.Faults)
            faults.AddRow(Markup.Escape(f.Fault), Markup.Escape(f.Node), $"{f.Start:0.0}", $"{f.End:0.0}", Seconds(f.PostingBackAfter), Seconds(f.ReadersCaughtUpAfter),
                $"{f.FailedAttempts}", $"{f.SpoiledPosts}", Markup.Escape(f.Note ?? ""));
        ui.Write(faults);

        var invariants = new Table().Border(TableBorder.Rounded).Title("[bold]invariants[/]")
            .Caption($"{result.Posts} posts ({result.Acked} acknowledged, {result.PostErrors} failed after retries), {result.Attempts} attempts ({result.FailedAttempts} failed), {result.Stored} stored; " +
                $"readers: {result.Settings.Readers}, {result.Reconnects} reconnects, {result.PushedTwice} pushes repeated, {result.PushedOutOfOrder} pushed out of order (both allowed by the contract)");
        invariants.AddColumn("invariant").AddColumn(new TableColumn("violations").RightAligned()).AddColumn("holds").AddColumn("examples");
        foreach (var i in result.Invariants)
            invariants.AddRow(Markup.Escape(i.Name), $"{i.Violations}", i.Holds ? "[green]yes[/]" : "[red]NO[/]", Markup.Escape(string.Join("; ", i.Examples)));
        ui.Write(invariants);
    }

    private static string Seconds(double? s) => s is { } v ? $"{v:0.0}" : "-";

    /// <summary>Per second: posts acknowledged and attempts failed (top), comments delivered to readers (bottom); faults shaded.</summary>
    public static string WritePng(string outDir, string name, ChaosResult result, IReadOnlyList<PostAttempt> attempts, IReadOnlyList<(long Seq, int AtMs, int BodyHash)[]> readers)
    {
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, name + ".png");
        var seconds = (int)Math.Ceiling(Math.Max(attempts.Select(a => a.End).DefaultIfEmpty(1).Max(), readers.SelectMany(r => r.Select(d => d.AtMs / 1000.0)).DefaultIfEmpty(1).Max())) + 1;
        double[] PerSecond(IEnumerable<double> times)
        {
            var counts = new double[seconds];
            foreach (var t in times) if (t >= 0 && t < seconds) counts[(int)t]++;
            return counts;
        }
        var xs = Enumerable.Range(0, seconds).Select(i => (double)i).ToArray();
        var mp = new Multiplot();
        mp.AddPlots(2);
        var posts = mp.GetPlot(0);
        var deliveries = mp.GetPlot(1);
        posts.Title($"Posts per second (schedule: {Shorten(result.Schedule)})");
        posts.Add.Scatter(xs, PerSecond(attempts.Where(a => a.Outcome == "ack").Select(a => a.End))).LegendText = "acknowledged";
        posts.Add.Scatter(xs, PerSecond(attempts.Where(a => a.Outcome != "ack").Select(a => a.End))).LegendText = "attempts failed (retried)";
        deliveries.Title("Comments delivered to readers per second (all readers)");
        deliveries.Add.Scatter(xs, PerSecond(readers.SelectMany(r => r.Select(d => d.AtMs / 1000.0)))).LegendText = "delivered";
        foreach (var plot in new[] { posts, deliveries })
        {
            foreach (var f in result.Faults.Where(f => f.Note?.StartsWith("skipped") != true))
            {
                var span = plot.Add.HorizontalSpan(f.Start, Math.Max(f.End, f.Start + 0.3));
                span.FillStyle.Color = Colors.Red.WithAlpha(0.15);
                span.LegendText = "";
                var label = plot.Add.Text(f.Fault.Split(' ', 2)[1].Split(" for ")[0], f.Start, 0);
                label.LabelFontSize = 9;
                label.LabelRotation = -90;
            }
            plot.XLabel("seconds since the start");
            plot.ShowLegend();
        }
        mp.SavePng(path, 1400, 900);
        return path;
    }

    private static string Shorten(string s) => s.Length > 120 ? s[..117] + "..." : s;
}
