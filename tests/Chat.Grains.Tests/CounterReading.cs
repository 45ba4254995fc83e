using System.Diagnostics.Metrics;

namespace Chat.Grains.Tests;

/// <summary>
/// Sums what one counter of one meter records in this process while it is alive. The silos of the
/// test clusters run in this process: pass the meter factories of one cluster
/// (<see cref="ChatClusterFixture.MeterFactories"/>), or a test's own, to count only theirs.
/// </summary>
internal sealed class CounterReading : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterReading(string meterName, string instrumentName, IReadOnlyCollection<IMeterFactory> factories)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name == instrumentName && instrument.Meter.Scope is IMeterFactory scope && factories.Contains(scope))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
