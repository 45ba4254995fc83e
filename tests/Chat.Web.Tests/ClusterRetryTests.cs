using System.Diagnostics;
using Chat.Web.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Web.Tests;

/// <summary>
/// A post that failed on a cluster change is retried for a time budget, not a number of attempts:
/// a failover takes seconds, and a killed silo's calls fail at once, many times over.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class ClusterRetryTests
{
    private static ClusterRetry Retry(TimeSpan budget) => new(budget, NullLogger<ClusterRetry>.Instance);

    [Fact]
    public async Task A_post_rejected_for_longer_than_a_few_attempts_succeeds_within_the_budget()
    {
        var clock = Stopwatch.StartNew();
        var attempts = 0;
        var seq = await Retry(TimeSpan.FromSeconds(10)).PostAsync(() =>
        {
            attempts++;
            // A dead silo's calls are rejected at once until the cluster declares it dead (here: 2 s).
            return clock.Elapsed < TimeSpan.FromSeconds(2)
                ? Task.FromException<long>(new SiloUnavailableException("the silo is gone"))
                : Task.FromResult(42L);
        });
        Assert.Equal(42, seq);
        Assert.InRange(attempts, 5, 12); // backing off: 0.1, 0.2, 0.4, 0.8, then 1 s apart
    }

    [Fact]
    public async Task A_failover_longer_than_the_budget_gives_the_poster_the_last_error()
    {
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => Retry(TimeSpan.FromSeconds(1)).PostAsync<long>(() => throw new TimeoutException("no answer")));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.6), TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Refusals_are_not_retried_and_a_zero_budget_retries_nothing()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<ChatException>(() => Retry(TimeSpan.FromSeconds(10)).PostAsync<long>(() =>
        {
            attempts++;
            throw ChatException.Invalid("empty body");
        }));
        await Assert.ThrowsAsync<SiloUnavailableException>(() => Retry(TimeSpan.Zero).PostAsync<long>(() =>
        {
            attempts++;
            throw new SiloUnavailableException("the silo is gone");
        }));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_read_is_retried_like_a_post_but_not_counted_as_a_post_retry()
    {
        var postRetries = 0;
        var retry = new ClusterRetry(TimeSpan.FromSeconds(10), NullLogger<ClusterRetry>.Instance, () => postRetries++);
        var attempts = 0;
        var answer = await retry.ReadAsync(() => ++attempts < 3
            ? Task.FromException<string>(new SiloUnavailableException("the silo is handing its threads over"))
            : Task.FromResult("joined"));
        Assert.Equal(("joined", 3, 0), (answer, attempts, postRetries));
        await retry.PostAsync(() => ++attempts < 5 ? Task.FromException<long>(new TimeoutException()) : Task.FromResult(1L));
        Assert.Equal(1, postRetries);
        // A read that timed out (a frozen silo) is not tried again: the reader hears after one timeout, not the budget.
        var reads = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => retry.ReadAsync<string>(() => { reads++; throw new TimeoutException("no answer"); }));
        Assert.Equal(1, reads);
    }
}
