using HdrHistogram;

namespace Chat.LoadTests;

/// <summary>Counters and latency recorders shared by all readers and posters of one run.</summary>
public sealed class Stats
{
    // Microseconds, up to 10 minutes, 3 significant digits.
    public static Recorder NewRecorder() => HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(600_000_000)
        .WithPrecisionOf(3).WithThreadSafeWrites().WithThreadSafeReads().Create();

    /// <summary>A histogram of the same range, for summing intervals (microseconds).</summary>
    public static HistogramBase NewHistogram() => HistogramFactory.With64BitBucketSize().WithValuesFrom(1).WithValuesUpTo(600_000_000).WithPrecisionOf(3).Create();

    public Recorder Delivery { get; } = NewRecorder();
    public Recorder Ack { get; } = NewRecorder();

    public long Deliveries;      // first arrival of a comment at a reader
    public long Pushes;          // comments received in `comments` pushes (repeats included)
    public long PostsSent;
    public long Acks;
    public long PostErrors;
    public long ConnectionErrors;
    public long Reconnects;
    public long GapFetches;
    public string? LastError;

    /// <summary>
    /// Stopwatch ticks: a comment due (stamped) before this is not counted in the latency histograms
    /// (it belongs to the warm-up), however late it arrives; correctness counts cover it as always.
    /// </summary>
    public long MeasureFrom;

    /// <summary>Also told every delivery's latency, by the time its post was due (a ramp files it under that post's step).</summary>
    public Action<long, long>? OnDeliveryLatency;

    /// <summary>Also told every ack's latency, by the time its post was due.</summary>
    public Action<long, long>? OnAckLatency;

    /// <summary>Records a delivery's latency from the time its post was due (not when it left: no coordinated omission).</summary>
    public void RecordDelivery(long dueTicks, long nowTicks)
    {
        if (dueTicks <= 0 || dueTicks < MeasureFrom) return;
        var micros = DueClock.LatencyMicros(dueTicks, nowTicks);
        Delivery.RecordValue(micros);
        OnDeliveryLatency?.Invoke(dueTicks, micros);
    }

    /// <summary>Records an ack's latency from the time its post was due.</summary>
    public void RecordAck(long dueTicks, long nowTicks)
    {
        if (dueTicks < MeasureFrom) return;
        var micros = DueClock.LatencyMicros(dueTicks, nowTicks);
        Ack.RecordValue(micros);
        OnAckLatency?.Invoke(dueTicks, micros);
    }

    public void Error(string message, ref long counter)
    {
        Interlocked.Increment(ref counter);
        LastError = message;
    }
}

/// <summary>One `--out` JSON row's latency summary, in milliseconds.</summary>
public sealed record Percentiles(long Count, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static Percentiles Of(HistogramBase h) => h.TotalCount == 0
        ? new(0, 0, 0, 0, 0, 0, 0)
        : new(h.TotalCount, Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(90)), Ms(h.GetValueAtPercentile(99)),
            Ms(h.GetValueAtPercentile(99.9)), Ms(h.GetMaxValue()), Math.Round(h.GetMean() / 1000.0, 2));

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 2);
}

public sealed record Sample(double T, double DeliveriesPerSec, double AcksPerSec, double P50Ms, double P99Ms, long Errors);
