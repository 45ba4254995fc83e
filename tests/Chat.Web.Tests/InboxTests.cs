using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>Reply notifications end to end: <c>/api/inbox</c> and the live <c>Inbox</c> count.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class InboxTests(WebFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private sealed record InboxEntry(string ThreadId, string ThreadTitle, long Seq, long ParentSeq, string Author, string Snippet, DateTimeOffset CreatedAt, string Link);

    private sealed record InboxPage(int Unread, InboxEntry[] Items);

    private static async Task<InboxPage> InboxOf(ChatApiClient user) =>
        (await user.Http.GetFromJsonAsync<InboxPage>("/api/inbox", ChatApiClient.Json))!;

    [Fact]
    public async Task The_inbox_needs_sign_in()
    {
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        await using var connection = await fixture.ConnectToHubAsync(token: null);

        var list = await anonymous.Http.GetAsync("/api/inbox");
        var read = await anonymous.Http.PostAsync("/api/inbox/read", null);
        var hub = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<InboxCount>("JoinInbox"));

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Contains("Sign in", (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Contains("unauthorized", hub.Message);
    }

    [Fact]
    public async Task The_inbox_lists_replies_newest_first_with_links_and_reading_it_marks_them_read()
    {
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var carol = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await alice.CreateThreadAsync("Inbox order");
        var parent = await alice.PostCommentSeqAsync(threadId, 0, "Alice asks");
        var first = await bob.PostCommentSeqAsync(threadId, parent, "Bob answers first");
        await alice.PostCommentSeqAsync(threadId, parent, "Alice to herself");
        var second = await carol.PostCommentSeqAsync(threadId, parent, "Carol answers second");
        var nested = await bob.PostCommentSeqAsync(threadId, second, "Bob answers Carol");

        await Eventually.True(async () => (await InboxOf(alice)).Items.Length == 2, Deadline, "alice's inbox has 2 replies");
        var inbox = await InboxOf(alice);
        Assert.Equal(2, inbox.Unread);
        Assert.Equal([second, first], inbox.Items.Select(i => i.Seq));
        Assert.Equal([carol.UserName, bob.UserName], inbox.Items.Select(i => i.Author));
        Assert.Equal(["Carol answers second", "Bob answers first"], inbox.Items.Select(i => i.Snippet));
        Assert.All(inbox.Items, i => Assert.Equal(("Inbox order", parent, $"/t/{threadId}#c{i.Seq}"), (i.ThreadTitle, i.ParentSeq, i.Link)));
        await Eventually.True(async () => (await InboxOf(carol)).Items.Length == 1, Deadline, "carol's inbox has bob's reply");
        Assert.Equal(nested, (await InboxOf(carol)).Items[0].Seq);

        var read = await alice.Http.PostAsync("/api/inbox/read", null);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(0, (await read.Content.ReadFromJsonAsync<InboxPage>(ChatApiClient.Json))!.Unread);
        var after = await InboxOf(alice);
        Assert.Equal((0, 2), (after.Unread, after.Items.Length));
        Assert.Empty((await InboxOf(bob)).Items);
    }

    [Fact]
    public async Task The_inbox_count_is_pushed_to_the_parents_author_only_and_follows_marking_read()
    {
        using var alice = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var bob = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var xavier = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await alice.CreateThreadAsync("Live inbox");
        var aliceComment = await alice.PostCommentSeqAsync(threadId, 0, "Alice here");
        var xavierComment = await xavier.PostCommentSeqAsync(threadId, 0, "Xavier here");
        // Two pages of alice (two connections) and one of xavier.
        await using var alicePage1 = await fixture.ConnectToHubAsync(alice.Token);
        await using var alicePage2 = await fixture.ConnectToHubAsync(alice.Token);
        await using var xavierPage = await fixture.ConnectToHubAsync(xavier.Token);
        var alice1 = Record(alicePage1);
        var alice2 = Record(alicePage2);
        var xavierCounts = Record(xavierPage);
        Assert.Equal(0, (await alicePage1.InvokeAsync<InboxCount>("JoinInbox")).Unread);
        Assert.Equal(0, (await alicePage2.InvokeAsync<InboxCount>("JoinInbox")).Unread);
        Assert.Equal(0, (await xavierPage.InvokeAsync<InboxCount>("JoinInbox")).Unread);

        await bob.PostCommentSeqAsync(threadId, aliceComment, "Bob to Alice, 1");
        await bob.PostCommentSeqAsync(threadId, aliceComment, "Bob to Alice, 2");
        await Eventually.True(() => alice1.LastOrDefault() == 2 && alice2.LastOrDefault() == 2, Deadline, "both of alice's pages show 2");
        // Now one for xavier: had alice's counts reached him, his pushes would not be exactly [1].
        await bob.PostCommentSeqAsync(threadId, xavierComment, "Bob to Xavier");
        await Eventually.True(() => xavierCounts.LastOrDefault() == 1, Deadline, "xavier's page shows 1");
        Assert.Equal([1], xavierCounts);

        await alice.Http.PostAsync("/api/inbox/read", null);

        await Eventually.True(() => alice1.LastOrDefault() == 0 && alice2.LastOrDefault() == 0, Deadline, "alice's pages show 0 after reading");
        // The node drops notices older than one it has (they travel out of order): a page's count
        // only ever went up until it was read.
        var shown = alice1.ToArray();
        Assert.Equal(0, shown[^1]);
        Assert.Equal(shown[..^1].Order(), shown[..^1]);
        Assert.All(shown[..^1], n => Assert.InRange(n, 1, 2));
        Assert.Equal([1], xavierCounts);
    }

    private static ConcurrentQueue<int> Record(HubConnection connection)
    {
        var counts = new ConcurrentQueue<int>();
        connection.On<InboxCount>(nameof(IDiscussionClient.Inbox), c => counts.Enqueue(c.Unread));
        return counts;
    }
}
