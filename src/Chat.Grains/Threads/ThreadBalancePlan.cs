namespace Chat.Grains.Threads;

/// <summary>
/// Which threads a silo hands over, and to whom, so that every silo comes to hold about its fair
/// share (total / silos) of the thread activations. Only the silo holding the most acts (ties: the
/// first in <c>order</c>), and only on what it holds above the share rounded up, so silos that read
/// the same counts never move threads at each other; each move goes to the silo holding the fewest
/// at that point, while it is below the share rounded down. Repeated every period, the spread
/// converges a silo at a time.
/// </summary>
public static class ThreadBalancePlan
{
    /// <param name="threadsBySilo">Every active silo with the threads it hosts (an empty list for a silo hosting none).</param>
    /// <param name="self">The silo deciding; it moves only its own threads.</param>
    /// <param name="maxMoves">At most this many moves at once (a move is a hand-over: brief, but not free).</param>
    public static IReadOnlyList<(TThread Thread, TSilo Target)> Moves<TSilo, TThread>(
        IReadOnlyDictionary<TSilo, IReadOnlyList<TThread>> threadsBySilo, TSilo self, int maxMoves, IComparer<TSilo> order)
        where TSilo : notnull
    {
        if (threadsBySilo.Count < 2 || !threadsBySilo.TryGetValue(self, out var mine)) return [];
        var counts = threadsBySilo.ToDictionary(kv => kv.Key, kv => kv.Value.Count);
        var total = counts.Values.Sum();
        var (shareUp, shareDown) = ((total + counts.Count - 1) / counts.Count, total / counts.Count);
        var busiest = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, order).First().Key;
        if (!EqualityComparer<TSilo>.Default.Equals(busiest, self)) return [];
        var moves = new List<(TThread, TSilo)>();
        foreach (var thread in mine.Take(Math.Min(counts[self] - shareUp, maxMoves)))
        {
            var target = counts.Where(kv => !EqualityComparer<TSilo>.Default.Equals(kv.Key, self))
                .OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, order).First().Key;
            if (counts[target] >= shareDown) break;
            moves.Add((thread, target));
            counts[target]++;
            counts[self]--;
        }
        return moves;
    }
}
