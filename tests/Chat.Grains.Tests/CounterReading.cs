using System.Diagnostics.Metrics;

namespace Chat.Grains.Tests;

/// <summary>
/// Sums what one counter of one meter records in this process while it is alive. The silos of the
/// test cluster run in this process, and the tests that use it run one at a time (one collection).
/// Optionally only the meter created by one <see cref="IMeterFactory"/> (a test's own).
/// </summary>
internal sealed class CounterReading : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterReading(string meterName, string instrumentName, IMeterFactory? factory = null)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == instrumentName && (factory is null || ReferenceEquals(instrument.Meter.Scope, factory)))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
