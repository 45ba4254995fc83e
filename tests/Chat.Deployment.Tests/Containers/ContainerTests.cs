using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Chat.Deployment.Tests.Containers;

/// <summary>
/// The images built from the repository's Dockerfiles, run with the dev overlay's settings (see
/// <see cref="ContainerCluster"/>): the cluster forms, serves browsers and the .NET client on both
/// web nodes, drains on `docker stop`, loses nothing acknowledged on `docker kill`, and runs as a
/// non-root user on a read-only root filesystem. Tests that stop or kill a pod start it again.
/// </summary>
[Collection(ContainerClusterCollection.Name)]
[Trait("Lane", Lanes.Containers)]
[Trait(Lanes.Slow, "true")]
public sealed class ContainerTests(ContainerCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Comments per poster (one per web node): at ~6 a second, posting spans the ~5-10 s a pod takes to stop.</summary>
    private const int PostsEach = 80;

    [ContainerFact]
    public async Task Cluster_forms_with_two_silos_two_web_nodes_and_azurite_as_non_root_on_read_only_root_filesystems()
    {
        foreach (var timing in cluster.Timings) output.WriteLine(timing);
        Assert.Equal(2, cluster.Silos.Count);
        Assert.Equal(2, cluster.Webs.Count);
        Assert.All(cluster.Pods, pod => Assert.True(cluster.Probes(pod).Ready, $"{pod.Name} is not Ready"));

        // Both silos are active members of one cluster, in the membership table in Azurite.
        var silo = cluster.Silos[0].Environment(cluster.Manifests, cluster.Pods);
        var tables = new TableServiceClient(PodContainer.FromOutside(cluster.Manifests, silo["Chat__Storage__ConnectionString"]));
        var members = tables.GetTableClient("OrleansSiloInstances")
            .Query<TableEntity>(e => e.PartitionKey == silo["Chat__Cluster__ClusterId"]).ToList();
        Assert.Equal(2, members.Count(m => m.GetString("Status") == "Active"));

        foreach (var pod in cluster.Pods)
        {
            var uid = (await cluster.ExecAsync(pod, "cat", "/proc/1/status")).Split('\n').Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.DoesNotMatch(@"^Uid:\s+0\s", uid);
            var write = await cluster.Engine.TryRunAsync("exec", pod.Name, "sh", "-c", "echo x > /written-by-test");
            Assert.True(write.ExitCode != 0 && write.Error.Contains("Read-only file system"), $"{pod.Name}: writing to / {write.ExitCode}: {write.Error}");
            foreach (var mount in pod.Container.VolumeMounts)
                await cluster.ExecAsync(pod, "sh", "-c", $"echo x > {mount.MountPath}/written-by-test && rm {mount.MountPath}/written-by-test");
            var logs = await cluster.LogsAsync(pod);
            Assert.DoesNotContain("Read-only file system", logs);
            Assert.DoesNotContain("Permission denied", logs);
            Assert.Equal(0, cluster.Probes(pod).LivenessFailures);
        }
    }

    [ContainerFact]
    public async Task A_browser_and_the_dotnet_client_read_and_post_across_both_web_nodes()
    {
        var (web0, web1) = (cluster.WebAddresses[0], cluster.WebAddresses[1]);
        using var author = await ChatApiClient.SignedUpAsync(web0);
        var threadId = await author.CreateThreadAsync("Across the containers");
        await using var reader = await ThreadReader.ConnectAsync(web0, threadId, author.Token);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        });
        var context = await browser.NewContextAsync(new() { BaseURL = web1.ToString() });
        var register = await context.APIRequest.PostAsync("/api/auth/register", new() { DataObject = new { userName = "b" + Guid.NewGuid().ToString("N")[..10], password = "correct horse battery" } });
        Assert.True(register.Ok, $"register on {web1}: {register.Status}");
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/t/{threadId}");
        await Expect(page.Locator("body[data-connection=connected]")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // The .NET client posts on web node 0; the page on web node 1 shows it live.
        var seq = await reader.PostAsync(0, "From the .NET client on web node 0");
        await Expect(page.Locator($"#c{seq}")).ToContainTextAsync("From the .NET client on web node 0", new() { Timeout = 10_000 });

        // The page posts on web node 1; the .NET client on web node 0 gets it.
        await page.Locator("#comment-text").FillAsync("From the browser on web node 1");
        await page.Locator("#comment-submit").ClickAsync();
        await Expect(page.Locator("#comment-text")).ToHaveValueAsync("", new() { Timeout = 10_000 });
        await Eventually.True(() => reader.Received.Any(c => c.Body == "From the browser on web node 1"), Deadline, "the .NET client on web node 0 has the browser's comment");
        await context.DisposeAsync();
    }

    [ContainerFact]
    public async Task Docker_stop_of_a_web_node_drains_it_with_no_post_error_and_no_reader_missing_anything() =>
        // The web node drains (Chat:Web:DrainTimeout): it answers the posts in flight before its
        // clients move, so not even an attempt fails.
        await StopUnderTrafficAsync(async _ =>
        {
            var web = cluster.Webs[0];
            Assert.Equal(0, await cluster.TerminateAsync(web)); // 0, not 137: done within the grace period
            return web;
        }, mostFailedAttempts: 0);

    [ContainerFact]
    public async Task Docker_stop_of_a_silo_drains_it_with_no_post_error_and_no_reader_missing_anything() =>
        // A post caught in the grain's move to the other silo may fail once and is retried with its clientId.
        await StopUnderTrafficAsync(async host =>
        {
            Assert.Equal(0, await cluster.TerminateAsync(host));
            return host;
        }, mostFailedAttempts: 2);

    [ContainerFact]
    public async Task Docker_kill_of_the_silo_hosting_a_thread_loses_nothing_acknowledged()
    {
        await using var traffic = await ThreadTraffic.StartAsync(cluster.WebAddresses);
        var host = await HostOfThreadAsync(traffic);
        var clock = Stopwatch.StartNew();
        var posting = traffic.PostAsync(PostsEach, clock, Deadline);
        await Eventually.True(() => traffic.Acknowledged.Count >= 20, Deadline, "20 comments acknowledged before the kill");
        await cluster.KillAsync(host);
        try
        {
            await posting;
            Assert.Equal(2 * PostsEach, traffic.Acknowledged.Count);
            var last = await traffic.AssertEveryReaderHasEverythingAsync(Deadline);
            Assert.Equal(2 * PostsEach + 1, last); // the warm-up and the posters': none skipped, none stored twice
            using var check = ChatApiClient.Anonymous(cluster.WebAddresses[0]);
            var stored = (await check.GetCommentsAsync(traffic.ThreadId)).ToDictionary(c => c.Seq, c => c.Body);
            Assert.All(traffic.Acknowledged, ack => Assert.Equal(ack.Value, stored[ack.Key]));
            output.WriteLine($"killed {host.Name}: {traffic.Failures} failed attempts retried ({traffic.Failed}), slowest post {traffic.SlowestPost.TotalSeconds:0.0} s");
        }
        finally
        {
            await cluster.RestartAsync(host);
        }
    }

    /// <summary>
    /// Stops a pod (<paramref name="stop"/> is given the silo hosting the thread and returns the pod
    /// it stopped) while a poster on each web node posts and readers on both read; no post fails,
    /// and at most <paramref name="mostFailedAttempts"/> attempts failed and were retried.
    /// </summary>
    private async Task StopUnderTrafficAsync(Func<PodContainer, Task<PodContainer>> stop, int mostFailedAttempts)
    {
        await using var traffic = await ThreadTraffic.StartAsync(cluster.WebAddresses);
        var host = await HostOfThreadAsync(traffic);
        var clock = Stopwatch.StartNew();
        var posting = traffic.PostAsync(PostsEach, clock, Deadline);
        await Eventually.True(() => traffic.Acknowledged.Count >= 20, Deadline, "20 comments acknowledged before the stop");
        var stopped = await stop(host);
        try
        {
            await posting;
            var last = await traffic.AssertEveryReaderHasEverythingAsync(Deadline);
            output.WriteLine($"stopped {stopped.Name} at {clock.Elapsed.TotalSeconds:0.0} s: {traffic.Acknowledged.Count} acknowledged, last seq {last}, {traffic.Failures} failed attempts ({traffic.Failed}), slowest post {traffic.SlowestPost.TotalSeconds:0.0} s");
            // No poster sees an error: every post is acknowledged, and stored once. An attempt that
            // failed (a silo's grain moving) is retried with its clientId; that is the contract, and
            // it is counted and shown above, not hidden.
            Assert.Equal(2 * PostsEach, traffic.Acknowledged.Count);
            using var check = ChatApiClient.Anonymous(cluster.Webs.First(w => w != stopped).Http);
            var stored = await check.GetCommentsAsync(traffic.ThreadId);
            Assert.Equal(stored.Length, stored.Select(c => c.Body).Distinct().Count());
            Assert.InRange(traffic.Failures, 0, mostFailedAttempts);
        }
        finally
        {
            await cluster.RestartAsync(stopped);
        }
    }

    /// <summary>The silo whose flush counter moves when the thread's first comment is stored: the one hosting its grain.</summary>
    private async Task<PodContainer> HostOfThreadAsync(ThreadTraffic traffic)
    {
        var before = await Task.WhenAll(cluster.Silos.Select(s => PrometheusScrape.SumAsync(s.Http, "chat_flushes_total")));
        await traffic.WarmUpAsync();
        PodContainer? host = null;
        await Eventually.True(async () =>
        {
            var after = await Task.WhenAll(cluster.Silos.Select(s => PrometheusScrape.SumAsync(s.Http, "chat_flushes_total")));
            host = cluster.Silos.Where((_, i) => after[i] > before[i]).SingleOrDefault();
            return host is not null;
        }, Deadline, "a silo counts the warm-up comment's flush");
        return host!;
    }
}
