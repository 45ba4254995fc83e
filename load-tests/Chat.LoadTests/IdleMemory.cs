namespace Chat.LoadTests;

/// <summary>One reading of the server's memory with <see cref="Connections"/> idle connections open.</summary>
public sealed record IdleMemoryPoint(int Connections, long? ResidentBytes, long? ManagedHeapBytes);

/// <summary>What idle readers cost one server: its memory with none, then at each point of the ladder.</summary>
public sealed record IdleMemoryResult(string Target, int Readers, int Connected, string Source, bool AfterFullGc,
    IdleMemoryPoint[] Points, long ConnectionErrors)
{
    public long? BeforeBytes => Points[0].ResidentBytes;
    public long? HalfBytes => Points[^2].ResidentBytes;
    public long? AfterBytes => Points[^1].ResidentBytes;

    /// <summary>RSS growth per connection over the last step: the marginal cost, without the first step's one-time costs.</summary>
    public double? MarginalBytesPerConnection => Per(Points[^2].ResidentBytes, Points[^1].ResidentBytes, Points[^1].Connections - Points[^2].Connections);

    /// <summary>RSS growth per connection from none to all of them.</summary>
    public double? BytesPerConnection => Per(BeforeBytes, AfterBytes, Connected);

    /// <summary>Managed heap (after the last GC) growth per connection over the last step.</summary>
    public double? MarginalManagedBytesPerConnection => Per(Points[^2].ManagedHeapBytes, Points[^1].ManagedHeapBytes, Points[^1].Connections - Points[^2].Connections);

    /// <summary>
    /// RSS per connection as the least-squares slope over the points with connections (not the empty
    /// server, whose first connections pay one-time costs): what each more connection costs across the
    /// range, less swayed by one noisy reading than a difference of two. Null with fewer than two such points.
    /// </summary>
    public double? SlopeBytesPerConnection => Slope(Points.Where(p => p.Connections > 0 && p.ResidentBytes is not null).Select(p => ((double)p.Connections, (double)p.ResidentBytes!.Value)).ToArray());

    public static double? Slope((double X, double Y)[] points)
    {
        if (points.Length < 2) return null;
        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? null : Math.Round(points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx);
    }

    private static double? Per(long? from, long? to, long count) => from is long f && to is long t && count > 0 ? Math.Round((t - f) / (double)count) : null;
}

/// <summary>
/// Connects idle readers of one thread in steps (by default two halves; --points 4000,8000,… for a
/// ladder) and reads the server's memory before and after each (<see cref="ServerMemory"/>: with the
/// pid, after a full GC). The first step also pays one-time costs (JIT of the hub's paths, pools,
/// first allocations), so the figures to judge are the last step's growth per connection and the
/// slope over the ladder. Used by idle-connections (one target) and compare (each target).
/// </summary>
public static class IdleMemory
{
    /// <summary>--points N1,N2,… (ascending) or, without it, --readers split in two halves.</summary>
    public static int[] Points(Options o, int readers)
    {
        if (o.String("points") is not { } list) return [readers / 2, readers];
        var points = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.TryParse(p, out var v) && v > 0 && v <= 100_000 ? v : throw new UsageException($"--points takes connection counts (1-100000) separated by commas, not '{p}'."))
            .ToArray();
        if (points.Length < 2 || points.Zip(points.Skip(1)).Any(p => p.First >= p.Second))
            throw new UsageException("--points needs at least two counts in ascending order, e.g. --points 4000,8000,12000,16000.");
        return points;
    }

    public static async Task<IdleMemoryResult> MeasureAsync(string target, Uri[] urls, int? pid, int[] points, TimeSpan hold, string readerKind, Ui ui, CancellationToken ct)
    {
        var n = points[^1];
        string threadId;
        using (var api = new ApiClient(urls[0])) { await api.SignUpAsync("ltidle" + Guid.NewGuid().ToString("N")[..8]); threadId = await api.CreateThreadAsync("idle readers"); }
        var readings = new List<(int Connections, ServerMemoryReading Reading)> { (0, await ServerMemory.ReadAsync(urls[0], pid, ct)) };
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
            var connected = 0;
            foreach (var point in points)
            {
                await ConnectAsync(readers.Skip(connected).Take(point - connected));
                connected = point;
                ui.Line($"[{target}] holding {point} idle connections for {hold.TotalSeconds / points.Length:0.#} s");
                await Task.Delay(hold / points.Length, ct);
                var reading = await ServerMemory.ReadAsync(urls[0], pid, ct);
                readings.Add((point - (int)Interlocked.Read(ref stats.ConnectionErrors), reading));
                ui.Line($"[{target}] {point} connections: {Mb(reading.Resident)} resident");
            }
            var last = readings[^1].Reading;
            return new IdleMemoryResult(target, n, n - (int)stats.ConnectionErrors, last.Source, readings.Skip(1).All(r => r.Reading.AfterFullGc),
                [.. readings.Select(r => new IdleMemoryPoint(r.Connections, r.Reading.Resident, r.Reading.ManagedHeap))], stats.ConnectionErrors);
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
        ui.Line($"[{r.Target}] server memory ({r.Source}; {gc}): " + string.Join(", ", r.Points.Select(p => $"{p.Connections} connections {Mb(p.ResidentBytes)}")));
        ui.Line($"[{r.Target}] per connection: {Kb(r.MarginalBytesPerConnection)} marginal (last step), {Kb(r.BytesPerConnection)} overall, {Kb(r.SlopeBytesPerConnection)} slope; managed heap {Kb(r.MarginalManagedBytesPerConnection)} marginal; connection errors {r.ConnectionErrors}");
    }
}
