using System.Diagnostics;

namespace Chat.LoadTests;

/// <summary>
/// The open-loop schedule's clock. The k-th post of a schedule is due at start + k / rate, whether
/// or not the ones before it were answered; its latency (ack or delivery) counts from then, not from
/// when it left, so that a generator or a poster that fell behind cannot hide the wait (coordinated
/// omission). Stopwatch ticks are CLOCK_MONOTONIC on Linux: one clock for every process on this
/// machine, so a post stamped in one generator process is timed correctly by a reader in another.
/// </summary>
public static class DueClock
{
    /// <summary>When the k-th post of a schedule that started at <paramref name="startTicks"/> at <paramref name="ratePerSec"/> is due.</summary>
    public static long DueAt(long startTicks, double ratePerSec, long k) => startTicks + (long)(k * (Stopwatch.Frequency / ratePerSec));

    /// <summary>Microseconds from due to now, at least 1 (the histograms' lowest value), at most 10 minutes.</summary>
    public static long LatencyMicros(long dueTicks, long nowTicks) =>
        Math.Clamp((nowTicks - dueTicks) * 1_000_000 / Stopwatch.Frequency, 1, 600_000_000);

    public static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);
}
