using System.Diagnostics;
using Chat.LoadTests.Chaos;
using Spectre.Console;

namespace Chat.LoadTests.Community;

/// <summary>
/// Plays `--scale` against the cluster the run started, from the start of the measured time: adds a
/// silo or web node (new ports, same settings; it joins through the membership table), or removes
/// the most recently added one still running with SIGTERM and waits for it to exit. The generators
/// are told the web nodes before a removal ("nodes URL,…" on their stdin, so nobody moves to the
/// node going away) and after an addition (so arrivals and moves reach it). After each move settles
/// (<see cref="ScaleSchedule.ActivationsAfter"/>, or just before the next move) it reads the silos'
/// thread activations; it also reads them every <see cref="ScaleSchedule.ActivationsEvery"/> through
/// the run (<see cref="Activations"/>), so that the time an added silo takes to get its share shows.
/// </summary>
public sealed class CommunityScaler(ChaosCluster cluster, IReadOnlyList<ScaleStep> steps, Action<string> progress)
{
    /// <summary>How long a removed node may take to exit after SIGTERM before it is killed.</summary>
    public static readonly TimeSpan RemoveGrace = TimeSpan.FromSeconds(60);

    private readonly List<ScaleRecord> _records = [];
    private readonly List<ActivationSample> _activations = [];

    public IReadOnlyList<ScaleRecord> Records { get { lock (_records) return [.. _records]; } }

    /// <summary>The silos' thread activations, read every <see cref="ScaleSchedule.ActivationsEvery"/>.</summary>
    public IReadOnlyList<ActivationSample> Activations { get { lock (_activations) return [.. _activations]; } }

    /// <summary>
    /// Reads the running silos' thread activations and the web nodes' post retries every few seconds
    /// until cancelled. A node's retry counter is kept at its last reading once it stops, so the sum
    /// only grows.
    /// </summary>
    public async Task WatchActivationsAsync(long measureFrom, CancellationToken ct)
    {
        var retriesByWeb = new Dictionary<string, long>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var at = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;
                try
                {
                    var (bySilo, _) = await CommunityScenario.ActivationsAsync(CommunityScenario.Of(cluster), ct);
                    foreach (var web in cluster.Webs.Where(w => w.IsUp).ToList())
                        if (await ServerMemory.MetricsAsync(web.Url, ct) is { } text && ServerMemory.SumOf(text, "chat_post_retries_total") is long n)
                            retriesByWeb[web.Name] = Math.Max(n, retriesByWeb.GetValueOrDefault(web.Name));
                    lock (_activations) _activations.Add(new ActivationSample(Math.Round(at, 1), bySilo, retriesByWeb.Values.Sum()));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A silo stopping as it is read: the next reading counts.
                }
                await Task.Delay(ScaleSchedule.ActivationsEvery, ct);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The cluster's running nodes now.</summary>
    public CommunityTarget Target => CommunityScenario.Of(cluster);

    public static IReadOnlyList<ScaleStep> Parse(Options o, CommunitySettings s) => ScaleSchedule.Parse(o.Peek("scale"), s.Silos, s.Webs);

    public async Task RunAsync(long measureFrom, IReadOnlyList<WorkerProcess> workers, CancellationToken ct)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            await Until(measureFrom, step.At, ct);
            var at = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;
            if (workers.All(w => w.HasExited))
            {
                progress($"{at,6:0.0}s SCALE {step.Text} and later: not made, the generators have finished (the moves before ran late: a busy machine starts nodes slowly)");
                return;
            }
            var took = Stopwatch.StartNew();
            string node, note = "";
            try
            {
                node = await MoveAsync(step.Action, workers);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (node, note) = ("-", $"failed: {e.Message}");
            }
            var seconds = took.Elapsed.TotalSeconds;
            progress($"{at,6:0.0}s SCALE {ScaleSchedule.Name(step.Action)} {node}: done in {seconds:0.0}s {note}");
            var read = i + 1 < steps.Count ? Min(step.At + ScaleSchedule.ActivationsAfter, steps[i + 1].At - TimeSpan.FromSeconds(1)) : step.At + ScaleSchedule.ActivationsAfter;
            await Until(measureFrom, read, ct);
            var (activations, _) = await CommunityScenario.ActivationsAsync(CommunityScenario.Of(cluster), ct);
            progress($"{Stopwatch.GetElapsedTime(measureFrom).TotalSeconds,6:0.0}s thread activations by silo: {string.Join(" ", activations.Select(kv => $"{kv.Key}:{kv.Value}"))}");
            lock (_records) _records.Add(new ScaleRecord(at, ScaleSchedule.Name(step.Action), node, seconds, activations, note.Length == 0 ? null : note));
        }
    }

    private async Task<string> MoveAsync(ScaleAction action, IReadOnlyList<WorkerProcess> workers)
    {
        switch (action)
        {
            case ScaleAction.AddSilo:
                return (await cluster.AddNodeAsync(NodeRole.Silo)).Name;
            case ScaleAction.RemoveSilo:
                return (await cluster.RemoveNodeAsync(NodeRole.Silo, RemoveGrace)).Name;
            case ScaleAction.AddWeb:
                var added = await cluster.AddNodeAsync(NodeRole.Web);
                await TellAsync(workers, cluster.Webs.Where(w => w.IsUp));
                return added.Name;
            default:
                var leaving = cluster.Newest(NodeRole.Web) ?? throw new InvalidOperationException("no web node running to remove");
                await TellAsync(workers, cluster.Webs.Where(w => w.IsUp && w != leaving));
                return (await cluster.RemoveNodeAsync(NodeRole.Web, RemoveGrace)).Name;
        }
    }

    private static async Task TellAsync(IReadOnlyList<WorkerProcess> workers, IEnumerable<ChaosNode> webs)
    {
        var line = "nodes " + string.Join(",", webs.Select(w => w.Url.ToString()));
        foreach (var w in workers.Where(w => !w.HasExited)) await w.SendAsync(line);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static async Task Until(long measureFrom, TimeSpan at, CancellationToken ct)
    {
        var wait = at - Stopwatch.GetElapsedTime(measureFrom);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
    }

    public static Table Table(IReadOnlyList<ScaleEventResult> events)
    {
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]scale events[/]")
            .Caption($"each over its window: from the move to {ScaleSchedule.Window.TotalSeconds:0} s later or the next move; latency: post due -> delivered at every reader; "
                + "unavailable: the longest time a thread always had a post due and not yet answered; server retries: posts a web node sent to the cluster again (the poster saw none); activations: thread grains per silo, read after the move settled; "
                + $"fair share: s after adding a silo from which every silo held at least half its fair share of thread activations to the end of the watch (read every {ScaleSchedule.ActivationsEvery.TotalSeconds:0} s, up to {ScaleWindows.FairShareWithin.TotalMinutes:0} min or the next silo removal)");
        foreach (var c in new[] { "at s", "action", "node", "took s", "window s", "posts", "post err", "retried", "p99 ms", "ack p99 ms", "unavailable ms", "server retries", "activations by silo", "fair share s" })
            t.AddColumn(new TableColumn(c).RightAligned());
        foreach (var e in events)
            t.AddRow($"{e.AtSeconds:0.0}", Markup.Escape(e.Action), Markup.Escape(e.Node), $"{e.TookSeconds:0.0}", $"{e.WindowSeconds:0}", $"{e.Posts}", $"{e.PostErrors}", $"{e.RetriedPosts}",
                $"{e.LatencyMsP99}", $"{e.AckMsP99}", $"{e.UnavailableMs:0}", $"{e.ServerRetries}", Markup.Escape(string.Join(" ", e.ActivationsBySilo.Select(kv => $"{kv.Key}:{kv.Value}"))),
                e.Action == ScaleSchedule.Name(ScaleAction.AddSilo) ? e.FairShareSeconds is { } f ? $"{f:0}" : "not reached" : "");
        return t;
    }
}
