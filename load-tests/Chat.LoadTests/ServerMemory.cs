using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;

namespace Chat.LoadTests;

/// <summary>One reading of the server's memory: resident (RSS or working set) and, when /metrics has it, the managed heap after the last GC.</summary>
public sealed record ServerMemoryReading(long? Resident, string Source, long? ManagedHeap, bool AfterFullGc);

/// <summary>
/// Reads the server's memory for idle-connections. With the server's pid (same machine), it first
/// makes the server run a full, blocking GC, the way dotnet-gcdump does (an EventPipe session
/// with the runtime's GCHeapCollect keyword), and waits until /metrics counts it: otherwise a
/// reading lands anywhere in the GC's allocation budget, and the garbage of the moment (megabytes)
/// swamps what a few thousand idle connections hold.
/// </summary>
public static partial class ServerMemory
{
    private const long GcKeyword = 0x1, GcHeapCollectKeyword = 0x800000;

    public static async Task<ServerMemoryReading> ReadAsync(Uri url, int? pid, CancellationToken ct)
    {
        var collected = false;
        if (pid is int p) collected = await InduceFullGcAsync(url, p, ct);
        var metrics = await MetricsAsync(url, ct);
        var managed = metrics is null ? null : SumOf(metrics, "dotnet_gc_last_collection_heap_size_bytes");
        if (pid is int q && File.Exists($"/proc/{q}/status"))
        {
            var line = File.ReadLines($"/proc/{q}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null) return new(long.Parse(DigitsRegex().Match(line).Value, CultureInfo.InvariantCulture) * 1024, $"/proc/{q}/status VmRSS", managed, collected);
        }
        if (metrics is null) return new(null, "/metrics unavailable", null, collected);
        foreach (var name in new[] { "process_memory_usage_bytes", "process_working_set_bytes", "process_resident_memory_bytes", "dotnet_process_memory_working_set_bytes" })
            if (SumOf(metrics, name) is long bytes) return new(bytes, $"/metrics {name}", managed, collected);
        return new(null, "/metrics has no process memory", managed, collected);
    }

    /// <summary>True once the server's gen2 count in /metrics went up (or, without /metrics, once the session ran).</summary>
    private static async Task<bool> InduceFullGcAsync(Uri url, int pid, CancellationToken ct)
    {
        var before = await Gen2CountAsync(url, ct);
        var client = new DiagnosticsClient(pid);
        using var session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)], requestRundown: false, token: ct);
        // The runtime writes the heap's events while it collects; read them so it never waits on us.
        var drain = session.EventStream.CopyToAsync(Stream.Null, ct);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var done = before is null;
        while (!done && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
            done = await Gen2CountAsync(url, ct) > before;
        }
        await session.StopAsync(ct);
        try { await drain; } catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
        return done;
    }

    private static async Task<long?> Gen2CountAsync(Uri url, CancellationToken ct) =>
        await MetricsAsync(url, ct) is { } text ? SumOf(text, "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\"") : null;

    /// <summary>The host's /metrics (Prometheus text), or null when it does not answer.</summary>
    public static async Task<string?> MetricsAsync(Uri url, CancellationToken ct)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
            return await http.GetStringAsync("/metrics", ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The sum of a Prometheus metric's samples (all label sets, or those containing a label).</summary>
    /// <summary>A metric summed over its label sets (those containing `label` only, if given); null when absent.</summary>
    public static long? SumOf(string metrics, string name, string? label = null)
    {
        long? sum = null;
        foreach (Match m in Regex.Matches(metrics, $@"^{name}(\{{[^}}]*\}})?\s+([0-9.eE+]+)", RegexOptions.Multiline))
        {
            if (label is not null && !m.Groups[1].Value.Contains(label, StringComparison.Ordinal)) continue;
            sum = (sum ?? 0) + (long)double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex DigitsRegex();
}
