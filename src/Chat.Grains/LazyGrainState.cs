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
    private long _mustSaveVersion;
    private long _savedAt = System.Diagnostics.Stopwatch.GetTimestamp();

    public bool WriteInFlight { get; private set; }

    public bool Dirty => _version != _savedVersion;

    public void MarkDirty() => _mustSaveVersion = ++_version;

    /// <summary>A change that may wait longer for its save (see <see cref="SaveIfDirtyAsync"/>'s mayWait).</summary>
    public void MarkDirtyMayWait() => _version++;

    /// <summary>Writes now; throws what storage throws (the state stays dirty then).</summary>
    public async Task WriteAsync()
    {
        await _gate.WaitAsync();
        WriteInFlight = true;
        try
        {
            var saving = _version;
            beforeWrite?.Invoke();
            try
            {
                await state.WriteStateAsync();
            }
            catch (Orleans.Storage.InconsistentStateException ex)
            {
                // The row's ETag is not the one held here: most often a write of ours that timed out
                // but landed (storage slow under load), after which every write would fail until the
                // grain is reloaded. Take the row's ETag and write what is in memory over it: this
                // activation holds the newest state.
                logger.LogWarning("Saving {What}: the stored row changed since it was read ({Error}); writing over it", what, ex.Message);
                var current = state.State;
                await state.ReadStateAsync();
                state.State = current;
                await state.WriteStateAsync();
            }
            _savedVersion = saving;
            _savedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        finally
        {
            WriteInFlight = false;
            _gate.Release();
        }
    }

    /// <summary>
    /// Saves the changes made so far (mark them first), unless a write that started after them has
    /// saved them meanwhile: in a reentrant grain, changes that come together share one write
    /// instead of each waiting for its own. Throws what storage throws.
    /// </summary>
    public async Task SaveChangesAsync()
    {
        var changes = _version;
        await _gate.WaitAsync();
        var covered = _savedVersion >= changes;
        _gate.Release();
        if (!covered) await WriteAsync();
    }

    /// <summary>
    /// For timers and deactivation: writes if dirty and no write is in flight; a failure is logged,
    /// and the next call tries again. Changes marked with <see cref="MarkDirtyMayWait"/> alone are
    /// written only once the last write is <paramref name="mayWait"/> old.
    /// </summary>
    public async Task SaveIfDirtyAsync(TimeSpan mayWait = default)
    {
        if (!Dirty || WriteInFlight) return;
        if (_mustSaveVersion <= _savedVersion && System.Diagnostics.Stopwatch.GetElapsedTime(_savedAt) < mayWait) return;
        try { await WriteAsync(); }
        catch (Exception ex) { logger.LogWarning(ex, "Saving {What} failed; will retry", what); }
    }
}
