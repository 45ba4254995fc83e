using System.Diagnostics;

namespace Chat.Web.Hosting;

/// <summary>
/// Retries a post when the cluster, not the request, failed: the silo holding the grain went away
/// mid-call (graceful stop during a rolling upgrade, a crash, a hang) and the call was rejected or
/// timed out. Safe because a post carries its clientId: a retry of a post that did land returns the
/// same seq and stores nothing new. Refusals (bad input, storage down, rate limits) are not retried.
/// Retries go on for a time budget (Chat:Cluster:PostRetryBudget), not a count: what a poster must
/// ride out is a failover of some seconds, in which a killed silo's calls fail at once and a frozen
/// one's wait Chat:Cluster:ResponseTimeout each.
/// </summary>
/// <param name="retried">Called once per retry (the web node counts them in chat_post_retries_total).</param>
public sealed class ClusterRetry(TimeSpan budget, ILogger<ClusterRetry> logger, Action? retried = null)
{
    /// <summary>The first pause; it doubles up to <see cref="MaxDelay"/>, so a quick hand-off costs little and a long failover is not hammered.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    public TimeSpan Budget => budget;

    /// <summary>No attempt starts after the budget has passed: a poster waits at most the budget plus one response timeout.</summary>
    public Task<T> PostAsync<T>(Func<Task<T>> post) => RunAsync(post, "Post", IsTransient, retried);

    /// <summary>
    /// A read that sets nothing up twice when repeated (joining a thread: the group and the relay
    /// keep a connection once), retried while the cluster rejects it (a silo stopping or gone: a
    /// reader arriving while a silo hands its threads over waits for it instead of getting an error),
    /// but not after a timeout: a reader of a thread on a frozen silo hears so after one
    /// ResponseTimeout, as before, rather than after the whole budget. Not counted as a post retry.
    /// </summary>
    public Task<T> ReadAsync<T>(Func<Task<T>> read) => RunAsync(read, "Read", ex => ex is Orleans.Runtime.OrleansMessageRejectionException, null);

    private async Task<T> RunAsync<T>(Func<Task<T>> post, string what, Func<Exception, bool> transient, Action? counted)
    {
        var clock = Stopwatch.StartNew();
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await post();
            }
            catch (Exception ex) when (transient(ex) && clock.Elapsed + delay < budget)
            {
                logger.LogInformation("{What} failed on a cluster change ({Error}) after {Elapsed}; retrying, attempt {Attempt}", what, ex.GetType().Name, clock.Elapsed, attempt + 1);
                counted?.Invoke();
                await Task.Delay(delay);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }

    public static bool IsTransient(Exception ex) => ex is TimeoutException or Orleans.Runtime.OrleansMessageRejectionException;
}
