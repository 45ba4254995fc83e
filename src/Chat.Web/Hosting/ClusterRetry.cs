namespace Chat.Web.Hosting;

/// <summary>
/// Retries a post when the cluster, not the request, failed: the silo holding the grain went away
/// mid-call (graceful stop during a rolling upgrade, or a crash) and the call was rejected or timed
/// out. Safe because a post carries its clientId: a retry of a post that did land returns the same
/// seq and stores nothing new. Refusals (bad input, storage down, rate limits) are not retried.
/// </summary>
public static class ClusterRetry
{
    private const int Attempts = 3;

    public static async Task<T> PostAsync<T>(Func<Task<T>> post, ILogger logger)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await post();
            }
            catch (Exception ex) when (attempt < Attempts && IsTransient(ex))
            {
                logger.LogInformation("Post failed on a cluster change ({Error}); retrying with the same clientId, attempt {Attempt}", ex.GetType().Name, attempt + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)); // let membership settle
            }
        }
    }

    public static bool IsTransient(Exception ex) => ex is TimeoutException or Orleans.Runtime.OrleansMessageRejectionException;
}
