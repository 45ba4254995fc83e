using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Grains.Tests;

/// <summary>
/// Lazily saved grain state: a change that must be kept is written by the next timer save; one that
/// may wait (a followed thread's count) only once the last write is old enough, or at deactivation.
/// </summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class LazyGrainStateTests
{
    /// <summary>Counts writes; the one fake of this class's single dependency.</summary>
    private sealed class CountingState : IPersistentState<object>
    {
        public int Writes { get; private set; }
        public object State { get; set; } = new();
        public string? Etag => null;
        public bool RecordExists => Writes > 0;
        public Task ClearStateAsync() => Task.CompletedTask;
        public Task ReadStateAsync() => Task.CompletedTask;
        public Task WriteStateAsync() { Writes++; return Task.CompletedTask; }
        public Task ClearStateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task ReadStateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task WriteStateAsync(CancellationToken cancellationToken) => WriteStateAsync();
    }

    [Fact]
    public async Task A_change_that_may_wait_is_saved_after_the_delay_or_at_deactivation_and_one_that_must_not_at_once()
    {
        var state = new CountingState();
        var saved = new LazyGrainState<object>(state, "test", NullLogger.Instance);
        var delay = TimeSpan.FromMinutes(1);

        saved.MarkDirtyMayWait();
        await saved.SaveIfDirtyAsync(delay); // a timer tick: the count waits
        Assert.Equal((0, true), (state.Writes, saved.Dirty));

        saved.MarkDirty(); // a reply arrives: saved with everything before it
        await saved.SaveIfDirtyAsync(delay);
        Assert.Equal((1, false), (state.Writes, saved.Dirty));

        saved.MarkDirtyMayWait();
        await saved.SaveIfDirtyAsync(delay);
        await saved.SaveIfDirtyAsync(); // deactivation: nothing may wait
        Assert.Equal((2, false), (state.Writes, saved.Dirty));

        saved.MarkDirtyMayWait();
        await saved.SaveIfDirtyAsync(TimeSpan.Zero); // a delay of 0: as any change
        Assert.Equal(3, state.Writes);
    }
}
