namespace Chat.LoadTests.Chaos;

/// <summary>A fault as it happened: which process it hit, when it began and ended (s since the start), and what went wrong doing it.</summary>
public sealed record FaultRecord(string Fault, string Node, double Start, double End, string? Note);

/// <summary>
/// Plays a schedule against the cluster: each fault at its time, its undoing (restart, SIGCONT,
/// heal) `For` later, while the next ones go on. Partitions without a <see cref="NetworkLab"/> are
/// skipped (and said so).
/// </summary>
public sealed class FaultInjector(ChaosCluster cluster, string threadId, RunClock clock, Action<string> progress)
{
    private readonly List<FaultRecord> _records = [];
    private readonly List<Task> _undoing = [];
    private readonly HashSet<ChaosNode> _busy = [];

    public IReadOnlyList<FaultRecord> Records { get { lock (_records) return [.. _records.OrderBy(r => r.Start)]; } }

    public async Task RunAsync(IReadOnlyList<Fault> schedule, CancellationToken ct)
    {
        foreach (var fault in schedule)
        {
            // Which silo hosts the thread takes a second of /metrics to tell: ask before the fault is due.
            var early = fault.At - TimeSpan.FromSeconds(1.5) - clock.Elapsed;
            if (early > TimeSpan.Zero) await Task.Delay(early, ct);
            // Not awaited: a SIGTERM'd process may take its time to exit, and the next fault is due on time.
            lock (_undoing) _undoing.Add(InjectOrSayWhyNotAsync(fault, ct));
        }
        while (true)
        {
            Task[] pending;
            lock (_undoing) pending = [.. _undoing];
            await Task.WhenAll(pending);
            lock (_undoing) if (_undoing.Count == pending.Length) return;
        }
    }

    /// <summary>
    /// Starts again, as Kubernetes would, a process that exited while no fault was acting on it (a
    /// silo the cluster declared dead during a partition ends itself when it learns so); recorded
    /// as an event of its own. Runs until `ct` is cancelled.
    /// </summary>
    public async Task SuperviseAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully))
            foreach (var node in cluster.All.Where(n => n.Process is { HasExited: true }).ToList())
            {
                lock (_busy) if (!_busy.Add(node)) continue;
                var start = clock.Seconds;
                var what = $"{node.Name} exited by itself (code {node.Process!.ExitCode})";
                progress($"{start,6:0.0}s {what}: starting it again");
                string note;
                try { await node.StartAsync(again: true); note = $"ready again {clock.Seconds - start:0.0}s later"; }
                catch (Exception e) { note = $"restart failed: {e.Message}"; }
                progress($"{clock.Seconds,6:0.0}s {node.Name}: {note}");
                Add(new FaultRecord(what, node.Name, start, clock.Seconds, note));
                lock (_busy) _busy.Remove(node);
            }
    }

    private async Task InjectOrSayWhyNotAsync(Fault fault, CancellationToken ct)
    {
        try { await InjectAsync(fault, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            progress($"fault {fault}: {e.Message}");
            Add(new FaultRecord(fault.ToString(), "-", clock.Seconds, clock.Seconds, e.Message));
        }
    }

    private async Task InjectAsync(Fault fault, CancellationToken ct)
    {
        if (fault.IsPartition && cluster.Lab is null)
        {
            progress($"{clock.Seconds,6:0.0}s skipped: {fault} (no network namespaces: {NetworkLab.WhyNot() ?? "not asked for"})");
            Add(new FaultRecord(fault.ToString(), "-", clock.Seconds, clock.Seconds, "skipped: no network namespaces"));
            return;
        }
        var node = await cluster.ResolveAsync(fault.IsPartition ? "silo:thread" : fault.Target, threadId);
        var due = fault.At - clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due, ct);
        lock (_busy)
            if (!_busy.Add(node))
            {
                progress($"{clock.Seconds,6:0.0}s skipped: {fault} ({node.Name} is still under an earlier fault)");
                Add(new FaultRecord(fault.ToString(), node.Name, clock.Seconds, clock.Seconds, "skipped: node still under an earlier fault"));
                return;
            }
        var start = clock.Seconds;
        progress($"{start,6:0.0}s FAULT {fault} -> {node.Name} ({node.Host})");
        try
        {
            var process = node.Process ?? throw new InvalidOperationException($"{node.Name} is not running (its restart failed)");
            switch (fault.Action)
            {
                case FaultAction.Kill:
                    await process.SignalAsync("KILL");
                    await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                    break;
                case FaultAction.Term:
                    await process.SignalAsync("TERM");
                    await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
                    break;
                case FaultAction.Stop:
                    await process.SignalAsync("STOP");
                    break;
                case FaultAction.Partition:
                    await cluster.Lab!.CutAsync(node.Namespace!, cluster.PeersOf(fault.Target, node));
                    break;
            }
        }
        catch
        {
            lock (_busy) _busy.Remove(node);
            throw;
        }
        lock (_undoing) _undoing.Add(UndoAsync(fault, node, start));
    }

    private async Task UndoAsync(Fault fault, ChaosNode node, double start)
    {
        string? note = null;
        var wait = TimeSpan.FromSeconds(start) + fault.For - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var end = clock.Seconds;
        try
        {
            switch (fault.Action)
            {
                case FaultAction.Kill or FaultAction.Term:
                    await node.StartAsync(again: true);
                    note = $"ready again {clock.Seconds - end:0.0}s after its restart";
                    break;
                case FaultAction.Stop:
                    await node.Process!.SignalAsync("CONT");
                    break;
                case FaultAction.Partition:
                    await cluster.Lab!.HealAsync(node.Namespace!);
                    break;
            }
        }
        catch (Exception e) { note = $"undo failed: {e.Message}"; }
        progress($"{end,6:0.0}s  end {fault} ({node.Name}){(note is null ? "" : ": " + note)}");
        Add(new FaultRecord(fault.ToString(), node.Name, start, end, note));
        lock (_busy) _busy.Remove(node);
    }

    private void Add(FaultRecord record) { lock (_records) _records.Add(record); }
}

/// <summary>Time since the run's start, shared by everything that records (one Stopwatch timestamp origin).</summary>
public sealed class RunClock
{
    public long Origin { get; private set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Zero is now (the start of posting and of the schedule).</summary>
    public void Restart() => Origin = System.Diagnostics.Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(Origin);
    public double Seconds => Elapsed.TotalSeconds;
    public double SecondsAt(long timestamp) => (timestamp - Origin) / (double)System.Diagnostics.Stopwatch.Frequency;
}
