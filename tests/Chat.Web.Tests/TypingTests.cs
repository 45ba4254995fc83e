using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>Typing signals reach other readers of the thread, and only signed-in users send them.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class TypingTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Typing_reaches_other_readers_with_the_comment_being_replied_to_and_needs_sign_in()
    {
        using var typist = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await typist.CreateThreadAsync();
        var seq = await typist.PostCommentSeqAsync(threadId, 0, "reply to me");
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        await using var typing = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, typist.Token);

        await typing.Connection.InvokeAsync("Typing", threadId, seq);
        await Eventually.True(() => reader.Typing.Contains((typist.UserName!, seq)), Deadline, "the reader hears who is replying to what");

        var anonymous = await Assert.ThrowsAsync<HubException>(() => reader.Connection.InvokeAsync("Typing", threadId, seq));
        var negative = await Assert.ThrowsAsync<HubException>(() => typing.Connection.InvokeAsync("Typing", threadId, -1L));
        Assert.Contains("unauthorized", anonymous.Message);
        Assert.EndsWith("parentSeq must be 0 (top level) or a comment's seq.", negative.Message);
    }
}
