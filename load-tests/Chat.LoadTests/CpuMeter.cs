using System.Diagnostics;

namespace Chat.LoadTests;

/// <summary>CPU taken over a window, in cores (CPU seconds per wall-clock second); null where unknown.</summary>
public sealed record CpuShare(double GeneratorCores, double? ServerCores);

/// <summary>
/// Measures the CPU the generator (this process) and the servers took over a window. On one machine a
/// generator that takes most of the cores makes any server look slow, so every result says what each
/// side took. Servers are known by process id: the ones compare starts itself, or --server-pid.
/// </summary>
public sealed class CpuMeter
{
    private readonly Process[] _servers;
    private readonly TimeSpan _generatorAtStart;
    private readonly TimeSpan[] _serversAtStart;
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    private CpuMeter(IReadOnlyList<int> serverPids)
    {
        _servers = [.. serverPids.Select(Process.GetProcessById)];
        _generatorAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _serversAtStart = [.. _servers.Select(CpuOf)];
    }

    public static CpuMeter Start(IReadOnlyList<int>? serverPids) => new(serverPids ?? []);

    public CpuShare Stop()
    {
        var seconds = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        var generator = (Process.GetCurrentProcess().TotalProcessorTime - _generatorAtStart).TotalSeconds / seconds;
        double? servers = null;
        try
        {
            if (_servers.Length > 0) servers = _servers.Select((p, i) => (CpuOf(p) - _serversAtStart[i]).TotalSeconds).Sum() / seconds;
        }
        catch (InvalidOperationException)
        {
            // A server exited during the window: its share is unknown, not zero.
        }
        return new CpuShare(Math.Round(generator, 2), servers is { } s ? Math.Round(s, 2) : null);
    }

    private static TimeSpan CpuOf(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
