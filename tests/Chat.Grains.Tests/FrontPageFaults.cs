using System.Collections.Concurrent;

namespace Chat.Grains.Tests;

/// <summary>
/// Makes the front page refuse a thread's row, as a front-page grain whose storage write failed would:
/// a silo call filter, so the real grains run unchanged. Scripted by title (unique per test), and it
/// remembers the ids of the rows it refused, so a test can see which thread the failed attempt stored.
/// </summary>
internal sealed class FrontPageFaults : IIncomingGrainCallFilter
{
    // Silos are built by type in the test cluster, so tests reach the script through statics.
    private static readonly ConcurrentDictionary<string, int> FailuresByTitle = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> RefusedIdsByTitle = new();

    /// <summary>The next n front-page writes of the thread titled so fail.</summary>
    public static void FailNextRows(string title, int n) => FailuresByTitle.AddOrUpdate(title, n, (_, left) => left + n);

    /// <summary>The ids of the threads whose rows titled so were refused.</summary>
    public static IReadOnlyCollection<string> RefusedIds(string title) => RefusedIdsByTitle.GetOrAdd(title, _ => new());

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IFrontPageGrain && context.Request.GetArgumentCount() == 1
            && context.Request.GetArgument(0) is ThreadSummary row && TakeFailure(row.Title))
        {
            RefusedIdsByTitle.GetOrAdd(row.Title, _ => new()).Enqueue(row.Id);
            throw new TimeoutException($"Scripted failure of the front-page write of thread {row.Id}");
        }
        await context.Invoke();
    }

    private static bool TakeFailure(string title)
    {
        while (FailuresByTitle.TryGetValue(title, out var left) && left > 0)
            if (FailuresByTitle.TryUpdate(title, left - 1, left)) return true;
        return false;
    }
}
