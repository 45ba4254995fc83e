using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// The silo hosting a thread dies while people post to it, at the membership settings k8s/base
/// deploys: 3 silos and a web node in Client topology. Posters see no error (the web node retries
/// each post with its clientId within Chat:Cluster:PostRetryBudget) and every acknowledged comment
/// is stored exactly once. The output has what an operator would time: when the membership table
/// declared the silo dead, and when posting worked again (docs/operations.md quotes it).
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class FailoverTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public Task Posts_while_the_silo_hosting_the_thread_is_killed_all_succeed_and_are_stored_once() =>
        PostThroughAsync("SIGKILL", host => host.KillAsync());

    [Fact]
    public Task Posts_while_the_silo_hosting_the_thread_is_frozen_all_succeed_and_are_stored_once() =>
        PostThroughAsync("SIGSTOP", host =>
        {
            host.Freeze();
            return Task.CompletedTask;
        });

    private async Task PostThroughAsync(string fault, Func<HostProcess, Task> inflict)
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 3, webs: 1, new Dictionary<string, string>(ProductionSettings.Membership));
        var web = cluster.WebAddresses[0];
        var people = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ChatApiClient.SignedUpAsync(web)));
        var threadId = await people[0].CreateThreadAsync("Posted through a failover");
        await people[0].PostCommentSeqAsync(threadId, 0, "Before the fault.");
        var host = await cluster.HostOfThreadAsync();
        var table = new MembershipTable(fixture.Azurite, cluster.ClusterId);

        await using var posters = ThreadPosters.Start(people, threadId);
        await Eventually.True(() => posters.Acknowledged >= 10, TimeSpan.FromSeconds(20), "posting before the fault");
        var faultAt = posters.Clock.Elapsed;
        await inflict(host);
        await Eventually.True(async () => await table.StatusOfAsync(host.SiloPort) == "Dead", TimeSpan.FromSeconds(30), $"the membership table declares the {fault} silo dead");
        var deadAt = posters.Clock.Elapsed;
        // Keep posting a while after that, so that posts racing the thread's re-activation count too.
        await Eventually.True(() => posters.Outcomes.Count(o => o.SentAt > deadAt && o.Seq is not null) >= 10, TimeSpan.FromSeconds(30), "posting after the silo was declared dead");
        await posters.StopAsync();

        var all = posters.Outcomes;
        // Posting works again when a post sent after the fault is acknowledged.
        var resumedAt = all.Where(o => o.SentAt >= faultAt && o.Seq is not null).Min(o => o.DoneAt);
        output.WriteLine($"{fault} of the silo hosting the thread: declared dead in the membership table after {(deadAt - faultAt).TotalSeconds:0.0} s; " +
            $"posting worked again after {(resumedAt - faultAt).TotalSeconds:0.0} s; slowest post {all.Max(o => o.DoneAt - o.SentAt).TotalSeconds:0.0} s; " +
            $"{all.Count} posts, {all.Count(o => o.Error is not null)} errors seen by posters");
        Assert.Empty(posters.Errors);
        await posters.AssertEachAcknowledgedPostStoredOnceAsync(people[0]);
    }
}
