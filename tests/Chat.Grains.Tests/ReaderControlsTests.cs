namespace Chat.Grains.Tests;

/// <summary>What a reader controls, at the grains: mutes and quiet comments keep items out of the inbox; follows bring one counting item per thread.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class ReaderControlsTests(ClusterFixture fixture)
{
    // Followed threads tell their followers every Chat:Inbox:FollowedPeriod (5 s by default).
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static async Task<IReadOnlyList<InboxItem>> ItemsAsync(IUserGrain user) => (await user.GetInbox()).Items;

    [Fact]
    public async Task A_muted_persons_replies_and_mentions_never_reach_the_inbox_and_unmuting_lets_the_next_through()
    {
        var (alice, aliceName) = await fixture.NewUserAsync();
        var (bob, bobName) = await fixture.NewUserAsync();
        var (carol, _) = await fixture.NewUserAsync();
        await alice.SetAutoFollow(false);
        var thread = await alice.CreateThread("Mutes", null, null);
        var mine = await alice.PostComment(thread.Id, 0, "Alice speaks.", "a1");

        Assert.Equal(ChatErrorKind.Invalid, (await Assert.ThrowsAsync<ChatException>(() => alice.SetMute(aliceName, true))).Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => alice.SetMute("nobody" + Guid.NewGuid().ToString("N")[..6], true))).Kind);
        await alice.SetMute(bobName.ToUpperInvariant(), true);
        await alice.SetMute(bobName, true);
        Assert.Equal([bobName], (await alice.GetControls()).Mutes);
        Assert.Empty((await bob.GetControls()).Mutes);

        await bob.PostComment(thread.Id, mine, "Bob replies.", "b1");
        await bob.PostComment(thread.Id, 0, $"Bob mentions @{aliceName}.", "b2");
        var marker = await carol.PostComment(thread.Id, mine, "Carol replies.", "c1");
        await Eventually.True(async () => (await ItemsAsync(alice)).Any(i => i.Seq == marker), Deadline, "carol's reply arrives");
        Assert.Equal([marker], (await ItemsAsync(alice)).Select(i => i.Seq));

        await alice.SetMute(bobName, false);
        var after = await bob.PostComment(thread.Id, mine, "Bob again.", "b3");
        await Eventually.True(async () => (await ItemsAsync(alice)).Any(i => i.Seq == after), Deadline, "bob's reply after unmuting arrives");
    }

    [Fact]
    public async Task Only_its_author_quiets_a_comment_and_replies_to_it_stay_out_of_the_inbox_until_it_is_loud_again()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        await alice.SetAutoFollow(false);
        var thread = await alice.CreateThread("Quiet", null, null);
        var quiet = await alice.PostComment(thread.Id, 0, "Do not answer me.", "a1");
        var loud = await alice.PostComment(thread.Id, 0, "Answer me.", "a2");

        Assert.Equal(ChatErrorKind.Forbidden, (await Assert.ThrowsAsync<ChatException>(() => bob.SetQuiet(thread.Id, quiet, true))).Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => alice.SetQuiet(thread.Id, 99, true))).Kind);
        await alice.SetQuiet(thread.Id, quiet, true);
        Assert.Equal([new QuietedComment(thread.Id, quiet)], (await alice.GetControls()).Quieted);

        await bob.PostComment(thread.Id, quiet, "An answer anyway.", "b1");
        var marker = await bob.PostComment(thread.Id, loud, "An answer.", "b2");
        await Eventually.True(async () => (await ItemsAsync(alice)).Any(i => i.Seq == marker), Deadline, "the reply to the loud comment arrives");
        Assert.Single(await ItemsAsync(alice));

        await alice.SetQuiet(thread.Id, quiet, false);
        var after = await bob.PostComment(thread.Id, quiet, "Now you hear me.", "b3");
        await Eventually.True(async () => (await ItemsAsync(alice)).Any(i => i.Seq == after), Deadline, "the reply after unquieting arrives");
        Assert.Empty((await alice.GetControls()).Quieted);
    }

    [Fact]
    public async Task A_followed_thread_is_one_inbox_item_that_counts_up_and_opening_the_thread_clears_it()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var (carol, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Followed", null, null);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => carol.SetFollow(Limits.NewThreadId(), true))).Kind);
        await carol.SetFollow(thread.Id, true);
        Assert.Equal([thread.Id], (await carol.GetControls()).Follows.Select(f => f.ThreadId));

        var first = await alice.PostComment(thread.Id, 0, "One.", "a1");
        await bob.PostComment(thread.Id, 0, "Two.", "b1");
        await bob.PostComment(thread.Id, first, "Three.", "b2");
        await Eventually.True(async () => (await ItemsAsync(carol)).FirstOrDefault()?.Count == 3, Deadline, "carol's item says 3 new comments");
        var item = Assert.Single(await ItemsAsync(carol));
        Assert.Equal((InboxItem.FollowedKind, thread.Id, "Followed", first), (item.Kind, item.ThreadId, item.ThreadTitle, item.Seq));
        Assert.Equal(1, (await carol.GetInbox()).Unread);

        await bob.PostComment(thread.Id, 0, "Four.", "b3");
        await Eventually.True(async () => (await ItemsAsync(carol)).FirstOrDefault()?.Count == 4, Deadline, "the same item counts up to 4");
        Assert.Single(await ItemsAsync(carol));

        await carol.MarkRead(thread.Id, 0);
        Assert.Empty(await ItemsAsync(carol));
        Assert.Equal(0, (await carol.GetInbox()).Unread);

        await carol.SetFollow(thread.Id, false);
        Assert.Empty((await carol.GetControls()).Follows);
    }

    [Fact]
    public async Task Starting_or_commenting_in_a_thread_follows_it_unless_turned_off_and_replies_to_you_are_not_counted_twice()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var (dave, _) = await fixture.NewUserAsync();
        Assert.True((await dave.GetControls()).Settings.AutoFollow);
        Assert.False((await dave.SetAutoFollow(false)).AutoFollow);
        var thread = await alice.CreateThread("Joined", null, null);
        var mine = await alice.PostComment(thread.Id, 0, "Alice.", "a1");
        await bob.PostComment(thread.Id, 0, "Bob.", "b1");
        await dave.PostComment(thread.Id, 0, "Dave.", "d1");

        await Eventually.True(async () => (await alice.GetControls()).Follows.Length == 1 && (await bob.GetControls()).Follows.Length == 1, Deadline, $"alice and bob follow the thread (now {(await alice.GetControls()).Follows.Length} and {(await bob.GetControls()).Follows.Length})");
        Assert.Empty((await dave.GetControls()).Follows);

        // A reply to alice is her reply item, not also one of the followed count.
        var reply = await bob.PostComment(thread.Id, mine, "To Alice.", "b2");
        await bob.PostComment(thread.Id, 0, "To everyone.", "b3");
        await Eventually.True(async () => (await ItemsAsync(alice)).Any(i => i.Kind == InboxItem.FollowedKind), Deadline, "alice's followed item arrives");
        var items = await ItemsAsync(alice);
        Assert.Equal(reply, items.Single(i => i.Kind is null).Seq);
        // Bob's first comment and dave's were stored before alice followed, or after: at least the last one counts.
        Assert.InRange(items.Single(i => i.Kind == InboxItem.FollowedKind).Count ?? 0, 1, 3);
    }

    [Fact]
    public async Task A_follower_hears_only_of_comments_after_they_followed()
    {
        var (alice, _) = await fixture.NewUserAsync();
        var (bob, _) = await fixture.NewUserAsync();
        var (carol, _) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Late follower", null, null);
        await Eventually.True(async () => await fixture.Grains.GetGrain<IThreadFollowersGrain>(thread.Id).Count() == 1, Deadline, "alice follows her thread");
        await bob.PostComment(thread.Id, 0, "Before carol came.", "b1");

        await carol.SetFollow(thread.Id, true);
        var after = await bob.PostComment(thread.Id, 0, "After carol came.", "b2");

        await Eventually.True(async () => (await ItemsAsync(alice)).FirstOrDefault()?.Count == 2, Deadline, "alice hears of both");
        await Eventually.True(async () => (await ItemsAsync(carol)).FirstOrDefault()?.Count == 1, Deadline, "carol hears of the one after she followed");
        Assert.True(Assert.Single(await ItemsAsync(carol)).Seq <= after);
    }

    [Fact]
    public async Task Many_comments_to_many_followers_make_one_inbox_call_per_follower_per_period_not_one_per_comment()
    {
        using var notified = new CounterReading(ChatMetrics.MeterName, "chat.followers.notified", fixture.MeterFactories);
        var (alice, aliceName) = await fixture.NewUserAsync();
        var thread = await alice.CreateThread("Busy", null, null);
        var threadGrain = fixture.Grains.GetGrain<IThreadGrain>(thread.Id);
        var followers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => fixture.NewUserAsync()));
        await Task.WhenAll(followers.Select(f => f.User.SetFollow(thread.Id, true)));

        var started = DateTime.UtcNow;
        // Straight to the thread: a user's posts are rate-limited.
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => threadGrain.Post(new NewComment(0, aliceName, $"Comment {i}.", $"a{i}"))));
        var periods = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds / 5) + 1;

        await Eventually.True(async () => (await Task.WhenAll(followers.Select(f => ItemsAsync(f.User)))).All(items => items.SingleOrDefault()?.Count == 30), Deadline,
            "every follower has one item counting 30");
        Assert.InRange(notified.Total, 20, 20 * periods);
    }
}
