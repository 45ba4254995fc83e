using System.Diagnostics;
using ScottPlot;
using Spectre.Console;

namespace Chat.LoadTests;

/// <summary>One step of a ramp: what was asked, what the target did, and what each side's CPU took.</summary>
/// <param name="P99Ms">Of every delivery of a post due in this step, however late it arrived (final, at the end of the ramp).</param>
/// <param name="AckP99Ms">Likewise of the acks of the posts due in this step.</param>
/// <param name="LateDeliveries">Deliveries of this step's posts that arrived after the step was judged (during later steps or the drain).</param>
public sealed record RampStep(double Rate, double AcksPerSec, double DeliveriesPerSec, double OfferedDeliveriesPerSec,
    double P99Ms, double WorstSecondP99Ms, double ErrorRate, bool KeptUp, double GeneratorCores, double? ServerCores,
    double AckP99Ms = 0, long LateDeliveries = 0);

/// <param name="HighestRateWithinLimit">The last rate of the unbroken run of steps that kept up with p99 (of every delivery of the posts due in the step, however late) and errors under their limits (0: not even the first).</param>
/// <param name="SaturationDeliveriesPerSec">The most deliveries/s of any step: what the target delivers when pushed past what it keeps up with.</param>
public sealed record RampResult(string Target, double HighestRateWithinLimit, double DeliveriesPerSecWithinLimit,
    double SaturationDeliveriesPerSec, double SaturationRate, RampStep[] Steps, RunResult Run);

/// <param name="UntilSaturation">Go on past the latency limit while the target keeps up (up to <see cref="SaturationP99Ms"/>), to find its most deliveries/s.</param>
public sealed record RampSettings(double Start, double Step, double Max, TimeSpan StepDuration, double P99LimitMs, double ErrorLimit,
    bool UntilSaturation, double SaturationP99Ms)
{
    public static RampSettings From(Options o, bool untilSaturation, double start = 50, double step = 50) => new(
        o.Double("start-rate", start, 1), o.Double("step", step, 1), o.Double("max-rate", 5_000, 1, 100_000),
        o.Duration("step-duration", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10)), o.Double("p99-limit", 100, 1),
        o.Double("max-error-rate", 0.01, 0, 1), untilSaturation, o.Double("saturation-p99-limit", 3_000, 1));
}

/// <summary>
/// Same readers and thread; the rate goes up a step at a time. `ramp` stops at the first step over the
/// p99 or error limit or that does not keep up; compare's ramp goes on to saturation (the most
/// deliveries/s), stopping where the target no longer keeps up or its p99 passes seconds.
/// </summary>
public static class Ramp
{
    public static async Task<int> RunAsync(Options o, Ui ui, CancellationToken ct)
    {
        var urls = Scenarios.RequireUrls(o);
        var s = Scenarios.Settings(o, "ramp", 1);
        var r = RampSettings.From(o, untilSaturation: o.Has("until-saturation"));
        int[] serverPids = o.Has("server-pid") ? [o.Int("server-pid", 0, 1)] : [];
        var outDir = Scenarios.OutDir(o);
        Scenarios.CheckUnused(o);
        var result = await RampOneAsync("target", urls, s, r, ui, ct, serverPids);
        ui.Line($"highest sustainable rate: {result.HighestRateWithinLimit:0} posts/s (p99 of the step's posts <= {r.P99LimitMs} ms, errors <= {r.ErrorLimit:P1}, acks and deliveries keep up)"
            + (r.UntilSaturation ? $"; most deliveries/s: {result.SaturationDeliveriesPerSec:0} at {result.SaturationRate:0} posts/s" : ""));
        Report.WriteJson(outDir, $"ramp-steps-{DateTime.Now:yyyyMMdd-HHmmss}", new { highestSustainableRate = result.HighestRateWithinLimit, result.SaturationDeliveriesPerSec, settings = r, result.Steps });
        return Scenarios.Finish("ramp", [result.Run], outDir, 1.0, ui);
    }

    public static async Task<RampResult> RampOneAsync(string target, Uri[] urls, LoadSettings s, RampSettings r, Ui ui, CancellationToken ct, IReadOnlyList<int>? serverPids = null)
    {
        await using var run = new LoadRun(urls);
        ui.Line($"[{target}] ramp: {s.Readers} readers, {s.Posters} posters, from {r.Start}/s by {r.Step}/s every {r.StepDuration.TotalSeconds}s"
            + (r.UntilSaturation ? " until it no longer keeps up" : $" while p99 <= {r.P99LimitMs} ms"));
        await run.SetUpAsync(1, s.Readers, s.Posters, ui.Line, ct, s.Reader);
        var timeline = new List<Sample>();
        if (s.Warmup > TimeSpan.Zero)
        {
            ui.Line($"[{target}] warming up for {s.Warmup.TotalSeconds}s at {r.Start:0}/s (not a step)");
            timeline.AddRange(await run.PostPhaseAsync(r.Start, s.Warmup, s.MaxPosts, -s.Warmup.TotalSeconds, x => ui.Sample($"{target} warm-up", x), ct));
            foreach (var p in run.Posters) await p.DrainAsync(TimeSpan.FromSeconds(10));
            run.StartMeasuring();
        }
        var steps = new List<RampStep>();
        var ledger = new RampLedger();
        run.Stats.OnDeliveryLatency = ledger.RecordDelivery;
        run.Stats.OnAckLatency = ledger.RecordAck;
        double withinLimit = 0, withinDeliveries = 0, t0 = 0;
        var broken = false;
        var sw = Stopwatch.StartNew();
        for (var rate = r.Start; rate <= r.Max && !ct.IsCancellationRequested; rate += r.Step)
        {
            long err0 = run.Stats.PostErrors + run.Stats.ConnectionErrors, sent0 = run.Stats.PostsSent, acks0 = run.Stats.Acks, dlv0 = run.Stats.Deliveries;
            var cpu = CpuMeter.Start(serverPids);
            ledger.BeginStep(Stopwatch.GetTimestamp());
            var stepTime = Stopwatch.StartNew();
            var samples = await run.PostPhaseAsync(rate, r.StepDuration, s.MaxPosts, t0, x => ui.Sample($"{target} {rate:0}/s", x), ct);
            var seconds = stepTime.Elapsed.TotalSeconds;
            var share = cpu.Stop();
            // Counted over the whole step (not averaged over its one-second samples, which at small
            // rates swing by a post or two): what was sent, acknowledged and delivered in it.
            long sent = run.Stats.PostsSent - sent0, acks = run.Stats.Acks - acks0, deliveries = run.Stats.Deliveries - dlv0;
            // Kept up: within a second after the step the posters had their acks and the readers what
            // was acknowledged. A target that keeps up answers in milliseconds (the last posts of a
            // step are still in flight when it ends); one that does not has a backlog of seconds.
            var settle = Stopwatch.StartNew();
            while (settle.Elapsed < TimeSpan.FromSeconds(1) && (run.Stats.Acks - acks0 < sent || run.Stats.Deliveries - dlv0 < (run.Stats.Acks - acks0) * s.Readers))
                await Task.Delay(10, ct);
            long ackedSoon = run.Stats.Acks - acks0, deliveredSoon = run.Stats.Deliveries - dlv0;
            foreach (var p in run.Posters) await p.DrainAsync(TimeSpan.FromSeconds(10));
            t0 += r.StepDuration.TotalSeconds;
            timeline.AddRange(samples);
            var steady = samples.Skip(1).ToArray(); // the first second of a step still carries the previous one
            // Judged on what arrived by now (the step, its settling second and the posters' drain);
            // what arrives later still counts in the step's final p99 (below, after the ramp).
            var (judged, p99) = ledger.Deliveries(steps.Count);
            var step = new RampStep(rate,
                AcksPerSec: Math.Round(acks / seconds),
                DeliveriesPerSec: Math.Round(deliveries / seconds),
                OfferedDeliveriesPerSec: rate * s.Readers,
                P99Ms: p99,
                WorstSecondP99Ms: steady.Length == 0 ? 0 : steady.Max(x => x.P99Ms),
                ErrorRate: sent == 0 ? 0 : Math.Round((double)(run.Stats.PostErrors + run.Stats.ConnectionErrors - err0) / sent, 4),
                KeptUp: sent > 0 && ackedSoon >= sent * 0.9 && deliveredSoon >= ackedSoon * s.Readers * 0.9, share.GeneratorCores, share.ServerCores,
                AckP99Ms: ledger.Acks(steps.Count).P99Ms, LateDeliveries: -judged);
            steps.Add(step);
            ui.Line($"[{target}] step {rate:0}/s: acks/s {step.AcksPerSec:0}, deliveries/s {step.DeliveriesPerSec:0} of {step.OfferedDeliveriesPerSec:0}, p99 {step.P99Ms:0.0} ms (worst second {step.WorstSecondP99Ms:0.0}), errors {step.ErrorRate:P2}, cores generator {share.GeneratorCores} / target {share.ServerCores?.ToString() ?? "-"}");
            var ok = step.KeptUp && step.ErrorRate <= r.ErrorLimit;
            if (!broken && ok && step.P99Ms <= r.P99LimitMs) (withinLimit, withinDeliveries) = (rate, step.DeliveriesPerSec);
            else broken = true;
            if (!ok || (r.UntilSaturation ? step.P99Ms > r.SaturationP99Ms : broken)) break;
        }
        var v = await run.DrainAndVerifyAsync(s.Drain);
        // Every step's final figures: its late deliveries are in now.
        for (var i = 0; i < steps.Count; i++)
        {
            var (count, p99) = ledger.Deliveries(i);
            steps[i] = steps[i] with { P99Ms = p99, AckP99Ms = ledger.Acks(i).P99Ms, LateDeliveries = steps[i].LateDeliveries + count };
        }
        var best = steps.Count == 0 ? null : steps.MaxBy(x => x.DeliveriesPerSec);
        var result = Scenarios.Result("ramp", target, urls, s with { Rate = withinLimit }, run, sw.Elapsed.TotalSeconds, [.. timeline], v);
        return new RampResult(target, withinLimit, withinDeliveries, best?.DeliveriesPerSec ?? 0, best?.Rate ?? 0, [.. steps], result);
    }

    public static Table Table(IReadOnlyList<RampResult> results, RampSettings r)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]ramp: highest rate with the step's p99 <= {r.P99LimitMs} ms, and the most deliveries/s[/]");
        foreach (var c in new[] { "target", "posts/s within limit", "deliveries/s there", "most deliveries/s", "at posts/s", "gen cores there", "target cores there", "gen µs/dlv", "target µs/dlv" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var x in results)
        {
            var top = x.Steps.FirstOrDefault(s => s.Rate == x.SaturationRate);
            string PerDelivery(double? cores) => cores is { } c && top is { DeliveriesPerSec: > 0 } ? $"{c * 1e6 / top.DeliveriesPerSec:0.0}" : "-";
            t.AddRow(Markup.Escape(x.Target), $"{x.HighestRateWithinLimit:0}", $"{x.DeliveriesPerSecWithinLimit:0}", $"{x.SaturationDeliveriesPerSec:0}", $"{x.SaturationRate:0}",
                $"{top?.GeneratorCores}", $"{top?.ServerCores?.ToString() ?? "-"}", PerDelivery(top?.GeneratorCores), PerDelivery(top?.ServerCores));
        }
        return t;
    }

    /// <summary>Deliveries/s and each step's p99 against the rate asked, one line per target.</summary>
    public static string WritePng(string outDir, string name, IReadOnlyList<RampResult> results, RampSettings r)
    {
        var (path, mp) = Report.NewPng(outDir, name, 2);
        var throughput = Report.Titled(mp.GetPlot(0), "Deliveries/s against the rate asked", "deliveries/s");
        var latency = Report.Titled(mp.GetPlot(1), "p99 of each step's posts (late deliveries included) against the rate asked", "ms");
        foreach (var x in results.Where(x => x.Steps.Length > 0))
        {
            double[] rates = [.. x.Steps.Select(s => s.Rate)];
            throughput.Add.Scatter(rates, [.. x.Steps.Select(s => s.DeliveriesPerSec)]).LegendText = x.Target;
            latency.Add.Scatter(rates, [.. x.Steps.Select(s => s.P99Ms)]).LegendText = x.Target;
        }
        latency.Add.HorizontalLine(r.P99LimitMs, pattern: LinePattern.Dashed).LegendText = $"p99 limit ({r.P99LimitMs} ms)";
        foreach (var plot in new[] { throughput, latency }) { plot.XLabel("posts/s asked"); plot.ShowLegend(); }
        mp.SavePng(path, 1100, 900);
        return path;
    }
}
