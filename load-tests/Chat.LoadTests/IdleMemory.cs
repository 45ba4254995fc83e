namespace Chat.LoadTests;

/// <summary>What N idle readers cost one server: its memory before, with half, and with all of them connected.</summary>
public sealed record IdleMemoryResult(string Target, int Readers, int Connected, string Source, bool AfterFullGc,
    long? BeforeBytes, long? HalfBytes, long? AfterBytes, long? ManagedHeapBefore, long? ManagedHeapHalf, long? ManagedHeapAfter, long ConnectionErrors)
{
    /// <summary>RSS growth per connection over the second half: the marginal cost, without the first half's one-time costs.</summary>
    public double? MarginalBytesPerConnection => Per(HalfBytes, AfterBytes, Connected - Readers / 2);

    /// <summary>RSS growth per connection over all of them.</summary>
    public double? BytesPerConnection => Per(BeforeBytes, AfterBytes, Connected);

    /// <summary>Managed heap (after the last GC) growth per connection over the second half.</summary>
    public double? MarginalManagedBytesPerConnection => Per(ManagedHeapHalf, ManagedHeapAfter, Connected - Readers / 2);

    private static double? Per(long? from, long? to, long count) => from is long f && to is long t && count > 0 ? Math.Round((t - f) / (double)count) : null;
}

/// <summary>
/// Connects N idle readers of one thread in two halves and reads the server's memory before and after
/// each (<see cref="ServerMemory"/>: with the pid, after a full GC). The first half also pays one-time
/// costs (JIT of the hub's paths, pools, first allocations), so the figure to judge is the second
/// half's growth per connection. Used by idle-connections (one target) and compare (each target).
/// </summary>
public static class IdleMemory
{
    public static async Task<IdleMemoryResult> MeasureAsync(string target, Uri[] urls, int? pid, int n, TimeSpan hold, string readerKind, Ui ui, CancellationToken ct)
    {
        string threadId;
        using (var api = new ApiClient(urls[0])) { await api.SignUpAsync("ltidle" + Guid.NewGuid().ToString("N")[..8]); threadId = await api.CreateThreadAsync("idle readers"); }
        var before = await ServerMemory.ReadAsync(urls[0], pid, ct);
        var stats = new Stats();
        await using var lean = ReaderKinds.IsLean(readerKind) ? new LeanTransport(n, urls.All(u => u.IsLoopback), messagePack: readerKind == ReaderKinds.LeanMessagePack) : null;
        var readers = Enumerable.Range(0, n)
            .Select(i => lean is null ? (IThreadReader)new Reader(urls[i % urls.Length], threadId, stats) : new LeanReader(lean, urls[i % urls.Length], threadId, stats))
            .ToList();
        try
        {
            var done = 0;
            async Task ConnectAsync(IEnumerable<IThreadReader> some) =>
                await Parallel.ForEachAsync(some, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (r, c) =>
                {
                    try { await r.StartAsync(c); } catch (Exception e) when (e is not OperationCanceledException) { stats.Error(e.Message, ref stats.ConnectionErrors); }
                    if (Interlocked.Increment(ref done) % 1000 == 0) ui.Line($"[{target}] connected {done}/{n}");
                });
            var half = n / 2;
            await ConnectAsync(readers.Take(half));
            await Task.Delay(hold / 2, ct);
            var middle = await ServerMemory.ReadAsync(urls[0], pid, ct);
            await ConnectAsync(readers.Skip(half));
            ui.Line($"[{target}] holding {n} idle connections for {hold.TotalSeconds / 2}s");
            await Task.Delay(hold / 2, ct);
            var after = await ServerMemory.ReadAsync(urls[0], pid, ct);
            return new IdleMemoryResult(target, n, n - (int)stats.ConnectionErrors, after.Source, after.AfterFullGc && middle.AfterFullGc,
                before.Resident, middle.Resident, after.Resident, before.ManagedHeap, middle.ManagedHeap, after.ManagedHeap, stats.ConnectionErrors);
        }
        finally
        {
            await Parallel.ForEachAsync(readers, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (r, _) => await r.DisposeAsync());
        }
    }

    public static string Kb(double? bytes) => bytes is double b ? $"{b / 1024:0.0} KB" : "unknown";

    public static string Mb(long? bytes) => bytes is long b ? $"{b / 1048576.0:0.0} MB" : "unknown";

    public static void Print(IdleMemoryResult r, Ui ui)
    {
        var gc = r.AfterFullGc ? "each reading after a full GC of the server" : "readings without a full GC first (give the server's pid): they include the garbage of the moment";
        ui.Line($"[{r.Target}] server memory ({r.Source}; {gc}): before {Mb(r.BeforeBytes)}, with {r.Readers / 2} connections {Mb(r.HalfBytes)}, with {r.Connected} {Mb(r.AfterBytes)}");
        ui.Line($"[{r.Target}] per connection: {Kb(r.MarginalBytesPerConnection)} marginal (second half), {Kb(r.BytesPerConnection)} overall; managed heap {Kb(r.MarginalManagedBytesPerConnection)} marginal; connection errors {r.ConnectionErrors}");
    }
}
