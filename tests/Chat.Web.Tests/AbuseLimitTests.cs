using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// The abuse limits with low settings on a host of their own: every refusal is a 429 with
/// Retry-After (or a clear hub error), and changes nothing.
/// </summary>
[Trait("Lane", Lanes.Storage)]
public sealed class AbuseLimitTests : IAsyncLifetime
{
    private OwnSite _host = null!;

    public async Task InitializeAsync()
    {
        _host = await OwnSite.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Limits:PostsPerSecondPerUser"] = "0.2",
            ["Chat:Limits:PostBurstPerUser"] = "3",
            ["Chat:Limits:FailedLoginsPerUser"] = "3",
            ["Chat:Limits:AuthRequestsPerIpPerMinute"] = "40",
            ["Chat:Limits:ConnectionsPerIp"] = "3",
            ["Chat:Limits:HubInvocationsPerSecond"] = "0.2",
            ["Chat:Limits:HubInvocationBurst"] = "5",
            ["Chat:Limits:FlagBurstPerUser"] = "2",
            ["Chat:Limits:FlagsPerMinutePerUser"] = "1",
            ["Chat:Limits:SearchesPerIpPerMinute"] = "3",
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Searching_more_often_than_the_per_ip_limit_is_refused_with_429_and_retry_after()
    {
        using var http = new HttpClient { BaseAddress = _host.BaseAddress };
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/search?q=anything")).StatusCode);

        var refused = await http.GetAsync("/api/search?q=anything");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.StartsWith("Too many searches from your address", await DetailOf(refused));
    }

    [Fact]
    public async Task Posting_faster_than_the_per_user_bucket_is_refused_with_429_and_retry_after_and_stores_nothing()
    {
        using var user = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        var threadId = await user.CreateThreadAsync(); // takes one token of the burst of 3
        await user.PostCommentSeqAsync(threadId, 0, "one");
        await user.PostCommentSeqAsync(threadId, 0, "two");

        var refused = await user.PostCommentAsync(threadId, 0, "three");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.StartsWith("Too many posts: try again in", await DetailOf(refused));
        Assert.Equal(2, (await user.GetThreadAsync(threadId)).LastSeq);
        using var other = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        Assert.Equal(3, await other.PostCommentSeqAsync(threadId, 0, "another user is not limited"));
    }

    [Fact]
    public async Task Flagging_faster_than_the_per_user_bucket_is_refused_with_429_and_queues_nothing()
    {
        using var author = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        var seqs = new List<long>();
        for (var i = 0; i < 2; i++) seqs.Add(await author.PostCommentSeqAsync(threadId, 0, $"target {i}"));
        using var other = await ChatApiClient.SignedUpAsync(_host.BaseAddress); // the author's posting burst is spent
        seqs.Add(await other.PostCommentSeqAsync(threadId, 0, "target 2"));
        using var flagger = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        for (var i = 0; i < 2; i++) // the burst
            (await flagger.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{seqs[i]}/flag", new { reason = "spam" })).EnsureSuccessStatusCode();

        var refused = await flagger.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{seqs[2]}/flag", new { reason = "spam" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.StartsWith("Too many flags: try again in", await DetailOf(refused));
        using var moderator = await ChatApiClient.SignedInAsync(_host.BaseAddress, TestSettings.ModeratorName);
        var queued = await moderator.Http.GetFromJsonAsync<FlaggedComment[]>("/api/mod/flags", ChatApiClient.Json);
        Assert.Equal(seqs.Take(2), queued!.Where(e => e.ThreadId == threadId).Select(e => e.Seq));
    }

    [Fact]
    public async Task Voting_faster_than_the_per_user_bucket_is_refused_with_429_and_counts_nothing_and_posting_still_works()
    {
        using var author = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        var threadId = await author.CreateThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "vote target");
        using var voter = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        for (var i = 0; i < 3; i++) // the burst: up, down, up
            (await voter.Http.SendAsync(new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Post : HttpMethod.Delete, $"/api/threads/{threadId}/comments/{seq}/vote"))).EnsureSuccessStatusCode();

        var refused = await voter.Http.DeleteAsync($"/api/threads/{threadId}/comments/{seq}/vote");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.StartsWith("Too many votes: try again in", await DetailOf(refused));
        Assert.Equal(1, (await voter.GetCommentsAsync(threadId)).Single().Points);
        // Votes have their own bucket: the voter can still post.
        await voter.PostCommentSeqAsync(threadId, seq, "still allowed to reply");
    }

    [Fact]
    public async Task Failed_logins_lock_the_user_name_even_for_the_right_password_and_not_other_names()
    {
        using var victim = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        using var bystander = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        using var attacker = ChatApiClient.Anonymous(_host.BaseAddress);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.Http.PostAsJsonAsync("/api/auth/login", new { userName = victim.UserName, password = "guess " + i })).StatusCode);

        var locked = await attacker.Http.PostAsJsonAsync("/api/auth/login", new { userName = victim.UserName, password = "correct horse battery" });
        var other = await attacker.Http.PostAsJsonAsync("/api/auth/login", new { userName = bystander.UserName, password = "correct horse battery" });

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Contains("failed sign-ins", await DetailOf(locked));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Hub_connections_per_ip_and_calls_per_connection_are_limited()
    {
        using var user = await ChatApiClient.SignedUpAsync(_host.BaseAddress);
        var threadId = await user.CreateThreadAsync();
        var open = new List<ThreadReader>();
        for (var i = 0; i < 3; i++) open.Add(await ThreadReader.ConnectAsync(_host.BaseAddress, threadId));

        var fourth = await Assert.ThrowsAnyAsync<Exception>(() => ThreadReader.ConnectAsync(_host.BaseAddress, threadId));
        Exception? flood = null;
        for (var i = 0; i < 20 && flood is null; i++)
        {
            try { await open[0].JoinAsync(); }
            catch (HubException ex) { flood = ex; }
        }

        Assert.Contains("429", fourth.ToString());
        Assert.NotNull(flood);
        Assert.Contains("Too many requests on this connection", flood!.Message);
        Assert.Equal(HubConnectionState.Connected, open[1].Connection.State); // others unaffected
        foreach (var reader in open) await reader.DisposeAsync();
    }
}
