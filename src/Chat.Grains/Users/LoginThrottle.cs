namespace Chat.Grains.Users;

/// <summary>
/// Failed sign-ins of one user: after FailedLoginsPerUser within FailedLoginWindow the account is
/// locked until the oldest of them leaves the window. Here, not on the web node, so that guessing
/// through many nodes at once counts as one. In memory only: a reactivation forgets the failures,
/// which costs at most one more window of guesses.
/// </summary>
internal sealed class LoginThrottle(LimitsOptions limits, TimeProvider time)
{
    private readonly Queue<DateTimeOffset> _failedLogins = new();

    /// <summary>0 if a sign-in may be tried now, else the seconds until one may.</summary>
    public int LockedForSeconds()
    {
        var now = time.GetUtcNow();
        var window = limits.FailedLoginWindow;
        while (_failedLogins.Count > 0 && _failedLogins.Peek() + window <= now) _failedLogins.Dequeue();
        if (_failedLogins.Count < limits.FailedLoginsPerUser) return 0;
        return Math.Max(1, (int)Math.Ceiling((_failedLogins.Peek() + window - now).TotalSeconds));
    }

    /// <summary>A success forgets the failures before it.</summary>
    public void Record(bool succeeded)
    {
        if (succeeded) _failedLogins.Clear();
        else _failedLogins.Enqueue(time.GetUtcNow());
    }
}
