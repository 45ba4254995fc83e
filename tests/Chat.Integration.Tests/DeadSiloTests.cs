using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// A silo that stops answering with Orleans' default failure detection (slower than k8s/'s, so that
/// the freeze outlasts every request below; FailoverTests uses k8s/'s): until the cluster declares
/// it dead, calls to its grains get no answer. Nobody should wait Orleans'
/// 30 s default for that: every request answers within seconds, with its result or a 503 that says
/// when to try again. (A silo killed on this machine is quicker to notice: its ports refuse at once.)
/// </summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class DeadSiloTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    /// <summary>Orleans' defaults, not the fast detection of the other process tests: detection takes ~15 s.</summary>
    private static readonly Dictionary<string, string> DefaultDetection = new()
    {
        ["Chat__Membership__ProbeTimeout"] = "00:00:05",
        ["Chat__Membership__NumMissedProbesLimit"] = "3",
    };

    /// <summary>The configured response timeout (5 s) plus a margin for a busy 2-core machine.</summary>
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task Reads_joins_votes_and_edits_of_a_thread_on_a_frozen_silo_answer_within_seconds()
    {
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 2, webs: 1, DefaultDetection);
        var web = cluster.WebAddresses[0];
        using var author = await ChatApiClient.SignedUpAsync(web);
        using var voter = await ChatApiClient.SignedUpAsync(web);
        var threadId = await author.CreateThreadAsync("On a silo about to die");
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Stored before the kill.");
        var host = await cluster.HostOfThreadAsync();

        host.Freeze();

        await AnswersAsync("GET thread", () => voter.Http.GetAsync($"/api/threads/{threadId}"));
        await AnswersAsync("GET comments", () => voter.Http.GetAsync($"/api/threads/{threadId}/comments?after=0"));
        await AnswersAsync("vote", () => voter.Http.PostAsync($"/api/threads/{threadId}/comments/{seq}/vote", null));
        await AnswersAsync("edit", () => author.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{seq}", new { body = "Edited through a dead silo." }));
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(web, "/hubs/discussion")).Build();
        await hub.StartAsync();
        var joining = Stopwatch.StartNew();
        try
        {
            await hub.InvokeAsync<object>("JoinThread", threadId, 0L);
            output.WriteLine($"JoinThread: joined in {joining.Elapsed.TotalSeconds:0.0} s");
        }
        catch (HubException e)
        {
            output.WriteLine($"JoinThread: '{e.Message}' in {joining.Elapsed.TotalSeconds:0.0} s");
            Assert.Contains("try again", e.Message);
        }
        Assert.True(joining.Elapsed < Answered, $"JoinThread took {joining.Elapsed.TotalSeconds:0.0} s");

        // Once the cluster has declared the silo dead (with one other silo to vote, that can take a
        // minute at Orleans' defaults), the thread is back, on the other silo.
        var frozenFor = Stopwatch.StartNew();
        await Eventually.True(async () => (await voter.Http.GetAsync($"/api/threads/{threadId}")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(150), "the thread answers again");
        output.WriteLine($"the thread answered again {frozenFor.Elapsed.TotalSeconds:0} s after the last request above");
    }

    private async Task AnswersAsync(string what, Func<Task<HttpResponseMessage>> request)
    {
        var clock = Stopwatch.StartNew();
        using var response = await request();
        output.WriteLine($"{what}: {(int)response.StatusCode} in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(clock.Elapsed < Answered, $"{what} took {clock.Elapsed.TotalSeconds:0.0} s");
        if (response.IsSuccessStatusCode) return;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
