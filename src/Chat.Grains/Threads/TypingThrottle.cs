namespace Chat.Grains.Threads;

/// <summary>
/// When each user's typing signal last went out: at most one per user and comment replied to per
/// period, so a fast typist (or a script) costs the nodes little. Never stored.
/// </summary>
internal sealed class TypingThrottle(TimeProvider time, TimeSpan period)
{
    private readonly Dictionary<string, (long ParentSeq, DateTimeOffset SentAt)> _sentAt = new(StringComparer.Ordinal);

    /// <summary>True if userName's signal for parentSeq may go out now (and it is then counted as sent).</summary>
    public bool TryPass(string userName, long parentSeq)
    {
        var now = time.GetUtcNow();
        if (_sentAt.TryGetValue(userName, out var last) && last.ParentSeq == parentSeq && now - last.SentAt < period) return false;
        _sentAt[userName] = (parentSeq, now);
        return true;
    }

    /// <summary>Forgets users whose last signal is a period old: they pass again anyway.</summary>
    public void ForgetQuiet()
    {
        var now = time.GetUtcNow();
        foreach (var (user, last) in _sentAt)
            if (now - last.SentAt > period) _sentAt.Remove(user);
    }
}
