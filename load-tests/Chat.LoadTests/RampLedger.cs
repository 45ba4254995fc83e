using HdrHistogram;

namespace Chat.LoadTests;

/// <summary>
/// Files each delivery's and each ack's latency under the ramp step its post was due in, whenever it
/// arrives: the slowest deliveries of a step arrive after the step has ended, and a ramp that counted
/// deliveries by arrival would give them to the next step (or to none, after the last), flattering
/// the step that was too fast. Fed by <see cref="Stats.OnDeliveryLatency"/> and <see cref="Stats.OnAckLatency"/>.
/// </summary>
public sealed class RampLedger
{
    /// <summary>A step's recorders (written by every reader and poster at once, without a lock) and what was read from them so far.</summary>
    private sealed record Step(long StartTicks, Recorder Delivery, HistogramBase DeliveryTotal, Recorder Ack, HistogramBase AckTotal);

    // Replaced, never changed, when a step begins: the hot path reads it without a lock.
    private volatile Step[] _steps = [];
    private readonly Lock _lock = new();

    /// <summary>A step begins: posts due from <paramref name="startTicks"/> (Stopwatch ticks) on belong to it.</summary>
    public void BeginStep(long startTicks)
    {
        lock (_lock)
        {
            var steps = _steps;
            if (steps.Length > 0 && startTicks < steps[^1].StartTicks) throw new ArgumentException("Steps begin in time order.", nameof(startTicks));
            _steps = [.. steps, new Step(startTicks, Stats.NewRecorder(), Stats.NewHistogram(), Stats.NewRecorder(), Stats.NewHistogram())];
        }
    }

    public void RecordDelivery(long dueTicks, long micros) => StepOf(dueTicks)?.Delivery.RecordValue(micros);

    public void RecordAck(long dueTicks, long micros) => StepOf(dueTicks)?.Ack.RecordValue(micros);

    /// <summary>The step a post due at <paramref name="dueTicks"/> belongs to: the last one begun by then (null: due before the first, the warm-up's).</summary>
    private Step? StepOf(long dueTicks)
    {
        var steps = _steps;
        for (var i = steps.Length - 1; i >= 0; i--)
            if (steps[i].StartTicks <= dueTicks) return steps[i];
        return null;
    }

    /// <summary>Deliveries filed under step <paramref name="step"/> so far, and their p99 in ms (0 without any).</summary>
    public (long Count, double P99Ms) Deliveries(int step) => Read(_steps[step].Delivery, _steps[step].DeliveryTotal);

    /// <summary>Acks filed under step <paramref name="step"/> so far, and their p99 in ms (0 without any).</summary>
    public (long Count, double P99Ms) Acks(int step) => Read(_steps[step].Ack, _steps[step].AckTotal);

    private (long, double) Read(Recorder recorder, HistogramBase total)
    {
        lock (_lock)
        {
            total.Add(recorder.GetIntervalHistogram());
            return (total.TotalCount, total.TotalCount == 0 ? 0 : Math.Round(total.GetValueAtPercentile(99) / 1000.0, 1));
        }
    }
}
