using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Chat.LoadTests;

/// <summary>One process over a measured window: its role (web, silo, azurite, redis, generator, baseline, server), CPU in cores and resident memory at the end.</summary>
public sealed record ProcessUsage(string Role, int Pid, double CpuCores, double RssMb);

/// <summary>
/// CPU (cores: CPU seconds per wall-clock second) and RSS of each process over a window, the
/// generator's included, so that a result says which process took the machine. Processes are known
/// by id; their role is what the code that started them registered (<see cref="Register"/>).
/// </summary>
public sealed class ProcessMeter
{
    private static readonly ConcurrentDictionary<int, string> Roles = new();
    private readonly (string Role, int Pid, TimeSpan Cpu)[] _start;
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    private ProcessMeter(IEnumerable<(string Role, int Pid)> processes) =>
        _start = [.. processes.DistinctBy(p => p.Pid).Select(p => (p.Role, p.Pid, CpuOf(p.Pid) ?? TimeSpan.Zero))];

    /// <summary>Says what a process this tool started is (a web node, a silo, redis…), for every later reading.</summary>
    public static void Register(int pid, string role) => Roles[pid] = role;

    public static string RoleOf(int pid) => pid == Environment.ProcessId ? "generator" : Roles.GetValueOrDefault(pid, "server");

    /// <summary>These processes and this one (the generator).</summary>
    public static ProcessMeter Start(IEnumerable<int> pids) =>
        new(pids.Select(p => (RoleOf(p), p)).Prepend(("generator", Environment.ProcessId)));

    public static ProcessMeter Start(IEnumerable<(string Role, int Pid)> processes) => new(processes);

    // Each process's last good reading (Sample): a process that exits just before Stop (a generator
    // whose work ended with the window) is reported as it last was, over the time up to that reading.
    private readonly ConcurrentDictionary<int, (TimeSpan Cpu, double RssMb, double Seconds)> _last = new();

    /// <summary>Takes a reading of every process now (call it during the window, e.g. once a second).</summary>
    public void Sample()
    {
        var seconds = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        foreach (var p in _start)
            if (CpuOf(p.Pid) is { } cpu && RssMbOf(p.Pid) is { } rss) _last[p.Pid] = (cpu, rss, seconds);
    }

    public ProcessUsage[] Stop()
    {
        Sample();
        // A process gone by now with no reading during the window has none to give.
        return [.. _start.Where(p => _last.ContainsKey(p.Pid)).Select(p =>
        {
            var (cpu, rss, seconds) = _last[p.Pid];
            return new ProcessUsage(p.Role, p.Pid, seconds > 0 ? Math.Round((cpu - p.Cpu).TotalSeconds / seconds, 3) : 0, rss);
        })];
    }

    /// <summary>User + system CPU time of a process (from /proc: also for processes that are not our children), or null when it is gone.</summary>
    public static TimeSpan? CpuOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of stat (utime, stime), counted from after the name: 11 and 12.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            try { using var p = Process.GetProcessById(pid); return p.TotalProcessorTime; }
            catch (Exception) { return null; }
        }
    }

    /// <summary>Resident memory now (VmRSS), in MB.</summary>
    public static double? RssMbOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : Math.Round(long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            try { using var p = Process.GetProcessById(pid); return Math.Round(p.WorkingSet64 / 1048576.0, 1); }
            catch (Exception) { return null; }
        }
    }

    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const int ClockTicksPerSecond = 100;
}
