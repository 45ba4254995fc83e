using System.Diagnostics;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// The other half of choosing the membership settings (k8s/base): silos that are alive but starved
/// of CPU while posts flow are never declared dead. The machine's cores are kept busy by `yes`
/// processes (two per core), as a noisy neighbour on a node would.
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class BusySiloTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    /// <summary>How long the silos are kept busy: 20 s here; CHAT_BUSY_SECONDS=300 for the measurement docs/operations.md quotes.</summary>
    private static readonly TimeSpan BusyFor = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("CHAT_BUSY_SECONDS"), out var seconds) && seconds > 0 ? seconds : 20);

    [Fact]
    public async Task Silos_starved_of_cpu_while_posts_flow_are_never_declared_dead()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 3, webs: 1, new Dictionary<string, string>(ProductionSettings.Membership));
        var people = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ChatApiClient.SignedUpAsync(cluster.WebAddresses[0])));
        var threadId = await people[0].CreateThreadAsync("Posted on a busy machine");
        var table = new MembershipTable(fixture.Azurite, cluster.ClusterId);

        await using var posters = ThreadPosters.Start(people, threadId);
        var hogs = Enumerable.Range(0, 2 * Environment.ProcessorCount)
            .Select(_ => Process.Start(new ProcessStartInfo("sh", ["-c", "exec yes > /dev/null"]))!)
            .ToList();
        try
        {
            // Watch the whole busy period: a false positive fails the test when it happens.
            var until = posters.Clock.Elapsed + BusyFor;
            await Eventually.True(async () =>
            {
                Assert.Equal(0, await table.DeadCountAsync());
                Assert.DoesNotContain(cluster.Silos, s => s.HasExited);
                return posters.Clock.Elapsed > until;
            }, BusyFor + TimeSpan.FromSeconds(30), $"{BusyFor.TotalSeconds:0} s of busy silos");
        }
        finally
        {
            foreach (var hog in hogs)
            {
                hog.Kill();
                await hog.WaitForExitAsync();
                hog.Dispose();
            }
        }
        await posters.StopAsync();

        var missedProbes = cluster.Silos.Sum(s => CountOf(s.Log, "Did not get response for probe"));
        output.WriteLine($"{BusyFor.TotalSeconds:0} s with {hogs.Count} CPU hogs on {Environment.ProcessorCount} cores: {posters.Outcomes.Count} posts " +
            $"(slowest {posters.Outcomes.Max(o => o.DoneAt - o.SentAt).TotalSeconds:0.0} s), {missedProbes} missed probes, {await table.DeadCountAsync()} silos declared dead");
        Assert.Equal(0, await table.DeadCountAsync());
        Assert.Empty(posters.Errors);
        Assert.True(posters.Acknowledged > 0, "no post was acknowledged while the silos were busy");
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
