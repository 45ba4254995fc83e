using System.Net.Http.Json;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>Real processes: Azurite with data on disk and Chat.Web co-hosting a silo, stopped and started again.</summary>
[Trait("Lane", Lanes.Processes)]
[Trait(Lanes.Slow, "true")]
public sealed class RestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "chat-restart-" + Guid.NewGuid().ToString("N")[..8]);
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync(_dataDir);

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Threads_comments_and_accounts_survive_a_restart_of_the_host_and_of_storage()
    {
        var userName = "r" + Guid.NewGuid().ToString("N")[..8];
        string threadId;
        await using (var first = await HostProcess.StartWebAsync(_azurite.ConnectionString))
        {
            using var user = await ChatApiClient.SignedUpAsync(first.BaseAddress, userName);
            threadId = await user.CreateThreadAsync("Survives restarts", "https://example.org/");
            for (var i = 1; i <= 25; i++) await user.PostCommentSeqAsync(threadId, i > 1 && i % 3 == 0 ? i - 1 : 0, $"comment {i}");
            Assert.Equal(0, await first.StopGracefullyAsync());
        }
        await _azurite.RestartAsync();

        await using var second = await HostProcess.StartWebAsync(_azurite.ConnectionString);
        using var again = await ChatApiClient.SignedUpAsync(second.BaseAddress); // a new visitor
        var comments = await again.GetCommentsAsync(threadId);
        var listed = await again.Http.GetFromJsonAsync<ThreadSummary[]>("/api/threads?limit=500", ChatApiClient.Json);
        using var returning = ChatApiClient.Anonymous(second.BaseAddress);
        var login = await returning.Http.PostAsJsonAsync("/api/auth/login", new { userName, password = "correct horse battery" });
        var next = await again.PostCommentSeqAsync(threadId, 0, "after the restart");

        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"comment {i}"), comments.Select(c => c.Body));
        Assert.Equal(23, comments.Single(c => c.Body == "comment 24").ParentSeq); // the reply tree too
        Assert.Contains(listed!, t => t.Id == threadId && t.Title == "Survives restarts");
        Assert.True(login.IsSuccessStatusCode, "the account still signs in");
        Assert.Equal(26, next);
    }

    [Fact]
    public async Task Every_acknowledged_comment_survives_kill_minus_9_of_the_host()
    {
        await using var first = await HostProcess.StartWebAsync(_azurite.ConnectionString);
        using var user = await ChatApiClient.SignedUpAsync(first.BaseAddress);
        var threadId = await user.CreateThreadAsync("Crash");
        var acknowledged = await Task.WhenAll(Enumerable.Range(1, 150).Select(i => user.PostCommentSeqAsync(threadId, 0, $"c{i}")));

        await first.KillAsync();
        // A fresh cluster id: the killed silo's membership row would otherwise hold up the new silo.
        await using var second = await HostProcess.StartWebAsync(_azurite.ConnectionString);
        using var reader = ChatApiClient.Anonymous(second.BaseAddress);
        var stored = await reader.GetCommentsAsync(threadId);

        output.WriteLine($"{acknowledged.Length} acknowledged before kill -9, {stored.Length} found after restart");
        Assert.Equal(acknowledged.Order(), stored.Select(c => c.Seq));
        Assert.Equal(150, (await reader.GetThreadAsync(threadId)).LastSeq);
    }
}
