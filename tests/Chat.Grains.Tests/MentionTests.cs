namespace Chat.Grains.Tests;

/// <summary>"@name" in a new comment: who is notified, what the stored comment says, and what never notifies.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class MentionTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private async Task<Comment> StoredAsync(string threadId, long seq) =>
        (await fixture.Grains.GetGrain<IThreadGrain>(threadId).GetComments(seq - 1, 1)).Comments.Single();

    [Fact]
    public async Task A_mention_of_an_existing_user_is_stored_and_lands_in_their_inbox_as_a_mention_while_nobody_and_yourself_do_nothing()
    {
        var (alice, aliceName) = await fixture.NewUserAsync();
        var (bob, bobName) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Mentions", null, null);

        var seq = await alice.PostComment(thread.Id, 0, $"Hey @{bobName.ToUpperInvariant()}, @nobody{Guid.NewGuid():N} and @{aliceName}: mail bob@{bobName}.example", "a1");

        var stored = await StoredAsync(thread.Id, seq);
        Assert.Equal([bobName], stored.Mentions!);
        await Eventually.True(async () => (await bob.GetInbox()).Unread == 1, Deadline, "bob has 1 unread mention");
        var item = Assert.Single((await bob.GetInbox()).Items);
        Assert.Equal((InboxItem.MentionKind, seq, aliceName), (item.Kind, item.Seq, item.Author));
        Assert.Empty((await alice.GetInbox()).Items);
    }

    [Fact]
    public async Task At_most_five_distinct_users_are_notified_per_comment_and_the_replied_to_author_only_once()
    {
        var (alice, aliceName) = await fixture.NewUserAsync();
        var users = new List<(IUserGrain User, string Name)>();
        for (var i = 0; i < 7; i++) users.Add(await fixture.NewUserAsync());
        var (parentAuthor, parentName) = users[0];
        var thread = await alice.CreateThread("Many mentions", null, null);
        var parent = await parentAuthor.PostComment(thread.Id, 0, "the parent", "p1");

        var body = string.Join(" ", users.Select(u => "@" + u.Name)) + " and again @" + users[1].Name;
        var seq = await alice.PostComment(thread.Id, parent, body, "a1");

        Assert.Equal(users.Take(5).Select(u => u.Name), (await StoredAsync(thread.Id, seq)).Mentions!);
        await Eventually.True(async () => (await users[4].User.GetInbox()).Unread == 1, Deadline, "the fifth mentioned has it");
        var parentInbox = await parentAuthor.GetInbox();
        Assert.Equal(InboxItem.ReplyKind, Assert.Single(parentInbox.Items).Kind ?? InboxItem.ReplyKind);
        // Notices of one flush are sent together: the sixth would have landed with the fifth.
        var later = await alice.PostComment(thread.Id, 0, "@" + users[6].Name, "a2");
        await Eventually.True(async () => (await users[6].User.GetInbox()).Unread == 1, Deadline, "the seventh has the later mention");
        Assert.Empty((await users[5].User.GetInbox()).Items);
        Assert.Equal(later, Assert.Single((await users[6].User.GetInbox()).Items).Seq);
    }

    [Fact]
    public async Task An_edit_does_not_notify_again_nor_add_mentions_and_a_delete_takes_the_mention_out_of_the_inbox()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, bobName) = await fixture.NewUserAsync();
        var (carol, carolName) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Edited mentions", null, null);
        var seq = await alice.PostComment(thread.Id, 0, $"hi @{bobName}", "a1");
        await Eventually.True(async () => (await bob.GetInbox()).Unread == 1, Deadline, "bob has the mention");

        var edited = await alice.EditComment(thread.Id, seq, $"hi @{bobName} and @{carolName}");
        Assert.Equal([bobName], edited.Mentions!);
        var marker = await alice.PostComment(thread.Id, 0, $"later @{carolName}", "a2");
        await Eventually.True(async () => (await carol.GetInbox()).Items.Count == 1, Deadline, "carol has the later mention");
        Assert.Equal(marker, Assert.Single((await carol.GetInbox()).Items).Seq);
        Assert.Single((await bob.GetInbox()).Items);

        await alice.DeleteComment(thread.Id, seq);
        await Eventually.True(async () => (await bob.GetInbox()).Items.Count == 0, Deadline, "the deleted mention left bob's inbox");
    }

    [Fact]
    public async Task Imported_comments_notify_nobody()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, bobName) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Imported", null, null);
        var grain = fixture.Grains.GetGrain<IThreadGrain>(thread.Id);

        await grain.Import([new ImportedComment("k1", null, ImportedAuthor.Of("someone", "hn"), $"hello @{bobName}", DateTimeOffset.UtcNow)]);
        var marker = await alice.PostComment(thread.Id, 0, $"@{bobName} now", "a1");

        await Eventually.True(async () => (await bob.GetInbox()).Items.Count >= 1, Deadline, "bob has the posted mention");
        Assert.Equal(marker, Assert.Single((await bob.GetInbox()).Items).Seq);
        Assert.Null((await StoredAsync(thread.Id, marker - 1)).Mentions);
    }
}
