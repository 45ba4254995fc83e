using System.Text.Json;
using ScottPlot;
using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>Summary tables, results JSON and the PNG report.</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Table Summary(IReadOnlyList<RunResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]results[/]");
        if (results.Any(r => r.WarmupSeconds > 0))
            table.Caption($"latency and rates: the {results.Max(r => r.Seconds):0} s after a {results.Max(r => r.WarmupSeconds):0} s warm-up (--warmup: 1/4, 1/2, then all of the rate); correctness: the whole run; cores: CPU seconds per second over the measured time, of this generator and of the target's processes (with its storage or redis; - = not known: give --server-pid); µs/dlv: CPU microseconds per delivery, generator and target: the generator should spend well under the target's, or the run measures the generator");
        foreach (var c in new[] { "target", "readers", "posts/s asked", "acks/s", "deliveries/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "ack p99 ms", "post err", "conn err", "lost", "dup", "out-of-order", "missing", "ok", "gen cores", "server cores", "gen µs/dlv", "srv µs/dlv" })
            table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var r in results)
            table.AddRow(Markup.Escape(r.Target), $"{r.Settings.Readers}", $"{r.Settings.Rate:0}", $"{r.AcksPerSec:0}", $"{r.DeliveriesPerSec:0}",
                $"{r.Latency.P50}", $"{r.Latency.P90}", $"{r.Latency.P99}", $"{r.Latency.P999}", $"{r.Latency.Max}", $"{r.AckLatency.P99}",
                $"{r.PostErrors}", $"{r.ConnectionErrors}", $"{r.Lost}", $"{r.Duplicated}", $"{r.OutOfOrder}", $"{r.Missing}", r.Correct ? "[green]yes[/]" : "[red]NO[/]",
                r.Cpu is { } cpu ? $"{cpu.GeneratorCores:0.00}" : "-", r.Cpu?.ServerCores is { } server ? $"{server:0.00}" : "-",
                r.GeneratorMicrosPerDelivery is { } g ? $"{g:0.0}" : "-", r.ServerMicrosPerDelivery is { } v ? $"{v:0.0}" : "-");
        return table;
    }

    public static string WriteJson(string outDir, string name, object value)
    {
        Directory.CreateDirectory(outDir);
        var path = Path.Combine(outDir, name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(value, Json));
        return path;
    }

    /// <summary>Where a PNG of that name goes (the folder made), and a figure of that many plots stacked.</summary>
    public static (string Path, Multiplot Figure) NewPng(string outDir, string name, int plots)
    {
        Directory.CreateDirectory(outDir);
        var mp = new Multiplot();
        mp.AddPlots(plots);
        return (Path.Combine(outDir, name + ".png"), mp);
    }

    public static Plot Titled(Plot plot, string title, string yLabel)
    {
        plot.Title(title);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>Top: deliveries/s and acks/s over time; bottom: p50/p99 latency over time per target, and the percentiles.</summary>
    public static string WritePng(string outDir, string name, IReadOnlyList<RunResult> results)
    {
        var (path, mp) = NewPng(outDir, name, 3);
        var throughput = Titled(mp.GetPlot(0), "Throughput over time", "per second");
        var latency = Titled(mp.GetPlot(1), "Post -> delivered latency over time (per second)", "ms");
        var pct = mp.GetPlot(2);
        foreach (var r in results)
        {
            var xs = r.Timeline.Select(s => s.T).ToArray();
            if (xs.Length == 0) continue;
            throughput.Add.Scatter(xs, r.Timeline.Select(s => s.DeliveriesPerSec).ToArray()).LegendText = $"{r.Target} deliveries/s";
            throughput.Add.Scatter(xs, r.Timeline.Select(s => s.AcksPerSec).ToArray()).LegendText = $"{r.Target} acks/s";
            latency.Add.Scatter(xs, r.Timeline.Select(s => s.P50Ms).ToArray()).LegendText = $"{r.Target} p50";
            latency.Add.Scatter(xs, r.Timeline.Select(s => s.P99Ms).ToArray()).LegendText = $"{r.Target} p99";
        }
        if (results.Any(r => r.WarmupSeconds > 0))
            foreach (var plot in new[] { throughput, latency })
                plot.Add.VerticalLine(0, pattern: LinePattern.Dashed).LegendText = "end of warm-up (not counted)";
        throughput.XLabel("seconds"); latency.XLabel("seconds");
        throughput.ShowLegend(); latency.ShowLegend();

        pct.Title(results.Any(r => r.WarmupSeconds > 0) ? "Latency percentiles after the warm-up (ms)" : "Latency percentiles, whole run (ms)");
        string[] labels = ["p50", "p90", "p99", "p99.9", "max"];
        var width = 1.0 / (results.Count + 1);
        for (var i = 0; i < results.Count; i++)
        {
            var l = results[i].Latency;
            double[] values = [l.P50, l.P90, l.P99, l.P999, l.Max];
            var bars = values.Select((v, k) => new Bar { Position = k + i * width, Value = v, Size = width * 0.9 }).ToArray();
            var added = pct.Add.Bars(bars);
            added.LegendText = results[i].Target;
            added.Color = Colors.Category10[i % 10];
        }
        pct.Axes.Bottom.SetTicks(labels.Select((_, k) => (double)k + (results.Count - 1) * width / 2).ToArray(), labels);
        pct.ShowLegend();
        mp.SavePng(path, 1100, 1200);
        return path;
    }
}
