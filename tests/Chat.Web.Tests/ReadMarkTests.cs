using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// "New since your last visit" end to end: a signed-in reader's read marks over HTTP
/// (<c>/api/threads/{id}/read</c>, <c>/api/read-marks</c>) and the hub (<c>MarkRead</c>,
/// <c>GetReadMarks</c>), on one web node and across two.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class ReadMarkTests(WebFixture fixture)
{
    private sealed record Mark(string ThreadId, long? Seq);

    private static async Task<Mark> MarkOf(ChatApiClient reader, string threadId) =>
        (await reader.Http.GetFromJsonAsync<Mark>($"/api/threads/{threadId}/read", ChatApiClient.Json))!;

    private static Task<HttpResponseMessage> PutMark(ChatApiClient reader, string threadId, object body) =>
        reader.Http.PutAsJsonAsync($"/api/threads/{threadId}/read", body);

    private static async Task<(ChatApiClient Author, string ThreadId)> ThreadWithCommentsAsync(Uri node, int comments)
    {
        var author = await ChatApiClient.SignedUpAsync(node);
        var threadId = await author.CreateThreadAsync("Read marks");
        for (var i = 1; i <= comments; i++) await author.PostCommentSeqAsync(threadId, 0, $"comment {i}");
        return (author, threadId);
    }

    [Fact]
    public async Task Read_marks_need_sign_in()
    {
        var (author, threadId) = await ThreadWithCommentsAsync(fixture.BaseAddress, 1);
        using var _ = author;
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        await using var connection = await fixture.ConnectToHubAsync(token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync($"/api/threads/{threadId}/read")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PutMark(anonymous, threadId, new { seq = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync($"/api/read-marks?threads={threadId}")).StatusCode);
        Assert.Contains("unauthorized", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ReadMark>("MarkRead", threadId, 1L))).Message);
        Assert.Contains("unauthorized", (await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ReadMark[]>("GetReadMarks", new[] { threadId }))).Message);
    }

    [Fact]
    public async Task A_mark_put_over_http_is_read_back_moves_forward_only_and_lists_for_visited_threads_only()
    {
        var (author, threadId) = await ThreadWithCommentsAsync(fixture.BaseAddress, 3);
        using var _ = author;
        var unvisited = await author.CreateThreadAsync("Never opened");
        using var reader = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);

        Assert.Equal(new Mark(threadId, null), await MarkOf(reader, threadId));
        Assert.Equal(2, (await Json(await PutMark(reader, threadId, new { seq = 2 }))).GetProperty("seq").GetInt64());
        Assert.Equal(2, (await Json(await PutMark(reader, threadId, new { seq = 1 }))).GetProperty("seq").GetInt64());

        Assert.Equal(new Mark(threadId, 2), await MarkOf(reader, threadId));
        var listed = await reader.Http.GetFromJsonAsync<ReadMark[]>($"/api/read-marks?threads={threadId},{unvisited}", ChatApiClient.Json);
        Assert.Equal([new ReadMark(threadId, 2)], listed!);
        // Another reader's marks are theirs.
        Assert.Equal(new Mark(threadId, null), await MarkOf(author, threadId));
    }

    [Fact]
    public async Task Bad_marks_are_refused_with_a_clear_message_and_change_nothing()
    {
        var (author, threadId) = await ThreadWithCommentsAsync(fixture.BaseAddress, 2);
        using var _ = author;
        using var reader = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await Json(await PutMark(reader, threadId, new { seq = 1 }));

        var past = await PutMark(reader, threadId, new { seq = 3 });
        var negative = await PutMark(reader, threadId, new { seq = -1 });
        var missing = await PutMark(reader, threadId, new { });
        var noThread = await PutMark(reader, Limits.NewThreadId(), new { seq = 0 });
        var malformedId = await PutMark(reader, "not-a-thread", new { seq = 0 });
        var tooMany = await reader.Http.GetAsync("/api/read-marks?threads=" + string.Join(",", Enumerable.Range(0, ReadMark.MaxThreadsPerRequest + 1).Select(_ => Limits.NewThreadId())));
        var malformedInList = await reader.Http.GetAsync($"/api/read-marks?threads={threadId},nope");

        Assert.Equal((HttpStatusCode.BadRequest, "past the thread's last comment (2)"), (past.StatusCode, Tail(await DetailOf(past))));
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("seq is required", await DetailOf(missing));
        Assert.Equal(HttpStatusCode.NotFound, noThread.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformedId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains($"At most {ReadMark.MaxThreadsPerRequest} threads", await DetailOf(tooMany));
        Assert.Equal(HttpStatusCode.BadRequest, malformedInList.StatusCode);
        Assert.Equal(new Mark(threadId, 1), await MarkOf(reader, threadId));
    }

    private static string Tail(string detail) => detail[detail.IndexOf("past", StringComparison.Ordinal)..].TrimEnd('.');

    [Fact]
    public async Task The_hub_moves_and_reads_the_same_mark_as_http()
    {
        var (author, threadId) = await ThreadWithCommentsAsync(fixture.BaseAddress, 3);
        using var _ = author;
        using var reader = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await using var connection = await fixture.ConnectToHubAsync(reader.Token);

        Assert.Empty(await connection.InvokeAsync<ReadMark[]>("GetReadMarks", new[] { threadId }));
        Assert.Equal(new ReadMark(threadId, 3), await connection.InvokeAsync<ReadMark>("MarkRead", threadId, 3L));

        Assert.Equal(new Mark(threadId, 3), await MarkOf(reader, threadId));
        Assert.Equal([new ReadMark(threadId, 3)], await connection.InvokeAsync<ReadMark[]>("GetReadMarks", new[] { threadId }));
        var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ReadMark>("MarkRead", threadId, 4L));
        Assert.Contains("past the thread's last comment (3)", refused.Message);
    }

    [Fact]
    public async Task A_mark_put_through_one_web_node_is_what_another_node_reads()
    {
        // Two web nodes (each co-hosting a silo) of one cluster of their own.
        var cluster = new Dictionary<string, string?>
        {
            ["Chat:Cluster:ClusterId"] = "read-marks-" + Guid.NewGuid().ToString("N")[..8],
            ["Chat:Cluster:ServiceId"] = "read-marks-" + Guid.NewGuid().ToString("N")[..8],
        };
        await using var nodeA = await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString, cluster);
        await using var nodeB = await InProcessWebHost.StartAsync(fixture.Azurite.ConnectionString, cluster);
        var (author, threadId) = await ThreadWithCommentsAsync(nodeA.BaseAddress, 4);
        using var _ = author;
        using var onA = await ChatApiClient.SignedUpAsync(nodeA.BaseAddress);
        using var onB = await ChatApiClient.SignedInAsync(nodeB.BaseAddress, onA.UserName!);

        await Json(await PutMark(onA, threadId, new { seq = 3 }));

        Assert.Equal(new Mark(threadId, 3), await MarkOf(onB, threadId));
        await using var hubOnB = await WebFixture.ConnectToHubAsync(nodeB.BaseAddress, onB.Token);
        Assert.Equal(new ReadMark(threadId, 4), await hubOnB.InvokeAsync<ReadMark>("MarkRead", threadId, 4L));
        Assert.Equal(new Mark(threadId, 4), await MarkOf(onA, threadId));
    }
}
