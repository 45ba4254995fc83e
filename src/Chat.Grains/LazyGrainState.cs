using Microsoft.Extensions.Logging;

namespace Chat.Grains;

/// <summary>
/// Grain state that is saved lazily (by a timer and on deactivation) and, where it must be, at once.
/// One write at a time: in a reentrant grain two would otherwise race on the ETag. A change made
/// while a write is in flight keeps the state dirty, so the next save writes it.
/// </summary>
/// <param name="what">Names the state in log messages ("thread abc").</param>
/// <param name="beforeWrite">Copies what lives in memory into the state, just before each write.</param>
public sealed class LazyGrainState<TState>(IPersistentState<TState> state, string what, ILogger logger, Action? beforeWrite = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _version;
    private long _savedVersion;

    public bool WriteInFlight { get; private set; }

    public bool Dirty => _version != _savedVersion;

    public void MarkDirty() => _version++;

    /// <summary>Writes now; throws what storage throws (the state stays dirty then).</summary>
    public async Task WriteAsync()
    {
        await _gate.WaitAsync();
        WriteInFlight = true;
        try
        {
            var saving = _version;
            beforeWrite?.Invoke();
            await state.WriteStateAsync();
            _savedVersion = saving;
        }
        finally
        {
            WriteInFlight = false;
            _gate.Release();
        }
    }

    /// <summary>For timers and deactivation: writes if dirty and no write is in flight; a failure is logged, and the next call tries again.</summary>
    public async Task SaveIfDirtyAsync()
    {
        if (!Dirty || WriteInFlight) return;
        try { await WriteAsync(); }
        catch (Exception ex) { logger.LogWarning(ex, "Saving {What} failed; will retry", what); }
    }
}
