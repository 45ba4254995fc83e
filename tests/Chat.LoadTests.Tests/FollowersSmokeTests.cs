using System.Text.Json;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>
/// CI smoke run of the followers scenario, tiny: 30 followers of one thread, 5 of them with the
/// inbox open, 5 comments/s for 3 s against the product started in-process with a followed period
/// of 1 s. No timing assertions: every watched inbox counts every comment, once, and the inbox
/// calls the product counted are about one per follower per period, not one per follower per comment.
/// </summary>
[Trait(Lanes.Trait, Lanes.Processes)]
public sealed class FollowersSmokeTests : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;
    private InProcessWebHost _host = null!;
    private readonly string _out = Path.Combine(RepoPaths.Artifacts, "followers-smoke-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _host = await InProcessWebHost.StartAsync(_azurite.ConnectionString, new Dictionary<string, string?> { ["Chat:Inbox:FollowedPeriod"] = "00:00:01" });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Followers_inboxes_count_every_comment_with_one_call_per_follower_per_period()
    {
        var rc = await LoadTool.RunAsync(["followers", "--url", _host.BaseAddress.ToString().TrimEnd('/'), "--followers", "30", "--watchers", "5",
            "--rate", "5", "--duration", "3s", "--warmup", "1s", "--idle", "1s", "--drain", "10s", "--out", _out, "--no-live"]);

        var r = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(_out, "followers-*.json").Single())).RootElement;
        Assert.Equal(30, r.GetProperty("signUp").GetProperty("followers").GetInt64());
        var acks = r.GetProperty("acks").GetInt64();
        Assert.InRange(acks, 15, 25);
        Assert.Equal(0, r.GetProperty("postErrors").GetInt64());
        // Every watched inbox counted every comment, no more.
        Assert.Equal(5 * acks, r.GetProperty("deliveredToWatchers").GetInt64());
        Assert.Equal(0, r.GetProperty("missing").GetInt64());
        Assert.Equal(0, r.GetProperty("overCounted").GetInt64());
        Assert.True(r.GetProperty("latencyFromAckMs").GetProperty("count").GetInt64() > 0);
        // Coalesced: 30 followers, 5 comments a period: about 6 calls a comment, far from 30.
        Assert.InRange(r.GetProperty("inboxCallsPerComment").GetDouble(), 1, 15);
        Assert.True(r.GetProperty("grainMessagesPerComment").GetDouble() > 0);
        Assert.Contains(r.GetProperty("processes").EnumerateArray(), p => p.GetProperty("role").GetString() == "generator");
        Assert.Equal(0, rc);
    }
}
