namespace Chat.Contracts;

/// <summary>
/// A token bucket refilled lazily from elapsed time. Used where there is one bucket per user or per
/// connection: System.Threading.RateLimiting's TokenBucketRateLimiter refills on a timer (one per
/// limiter) or only one period's worth per manual call, neither of which suits thousands of
/// mostly idle buckets. In Chat.Contracts because both the user's grain and the web node's hub filter
/// use it. Not thread-safe: callers hold a lock or live in a grain.
/// </summary>
public sealed class TokenBucket(int capacity, double tokensPerSecond, TimeProvider time)
{
    private readonly int _capacity = Math.Max(1, capacity);
    private readonly double _rate = Math.Max(0.001, tokensPerSecond);
    private double _tokens = Math.Max(1, capacity);
    private long _last = time.GetTimestamp();

    /// <summary>Takes one token, or says how long until one is there.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * _rate);
        _last = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _rate);
        return false;
    }
}
