namespace Chat.Grains.Tests;

/// <summary>Readers' flags and the moderation queue (one queue for the whole cluster: each test looks at its own thread's entries).</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class FlagTests(ClusterFixture fixture)
{
    private IFlagQueueGrain Queue => fixture.Grains.GetGrain<IFlagQueueGrain>(0);

    private async Task<FlaggedComment?> EntryAsync(string threadId, long seq) =>
        (await Queue.GetQueue()).SingleOrDefault(e => e.ThreadId == threadId && e.Seq == seq);

    private async Task<Comment> ShownAsync(string threadId, long seq) =>
        (await fixture.Grains.GetGrain<IThreadGrain>(threadId).GetComments(seq - 1, 1)).Comments.Single();

    private async Task<(string ThreadId, long Seq, string Author)> FlaggableCommentAsync()
    {
        var (author, authorName) = await fixture.NewUserAsync();
        var thread = await author.CreateThread("Flag me", null, null);
        var parent = await author.PostComment(thread.Id, 0, "the parent", "p");
        return (thread.Id, await author.PostComment(thread.Id, parent, "buy cheap watches", "c"), authorName);
    }

    [Fact]
    public async Task Three_distinct_flaggers_hide_the_comment_and_queue_it_with_reasons_context_and_names()
    {
        var (threadId, seq, author) = await FlaggableCommentAsync();
        var flaggers = new List<(IUserGrain User, string Name)>();
        for (var i = 0; i < 3; i++) flaggers.Add(await fixture.NewUserAsync());

        await flaggers[0].User.FlagComment(threadId, seq, "spam");
        var repeat = await flaggers[0].User.FlagComment(threadId, seq, "abuse");
        await flaggers[1].User.FlagComment(threadId, seq, "abuse");
        Assert.True(repeat.AlreadyFlagged);
        Assert.Equal("spam", repeat.Reason);
        var two = (await EntryAsync(threadId, seq))!;
        Assert.Equal([flaggers[0].Name, flaggers[1].Name], two.Flags.Select(f => f.Flagger));
        Assert.False(two.HiddenByFlags);
        Assert.False((await ShownAsync(threadId, seq)).Hidden);

        await flaggers[2].User.FlagComment(threadId, seq, "off-topic");

        var entry = (await EntryAsync(threadId, seq))!;
        Assert.True(entry.HiddenByFlags);
        Assert.Equal(["spam", "abuse", "off-topic"], entry.Flags.Select(f => f.Reason));
        Assert.Equal(("Flag me", author, "buy cheap watches", author, "the parent"), (entry.ThreadTitle, entry.Author, entry.Body, entry.ParentAuthor, entry.ParentBody));
        await Eventually.True(async () => (await ShownAsync(threadId, seq)).Hidden, TimeSpan.FromSeconds(10), "the comment is hidden");
    }

    [Fact]
    public async Task Flags_on_your_own_comment_with_a_bad_reason_or_on_no_comment_are_refused_and_change_nothing()
    {
        var (threadId, seq, authorName) = await FlaggableCommentAsync();
        var (reader, _) = await fixture.NewUserAsync();

        Assert.Equal(ChatErrorKind.Forbidden, (await Assert.ThrowsAsync<ChatException>(() => fixture.Grains.GetGrain<IUserGrain>(authorName).FlagComment(threadId, seq, "spam"))).Kind);
        Assert.Equal(ChatErrorKind.Invalid, (await Assert.ThrowsAsync<ChatException>(() => reader.FlagComment(threadId, seq, "boring"))).Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => reader.FlagComment(threadId, seq + 5, "spam"))).Kind);

        Assert.Null(await EntryAsync(threadId, seq));
        Assert.False((await reader.FlagComment(threadId, seq, "spam")).AlreadyFlagged);
    }

    [Fact]
    public async Task Restore_shows_a_hidden_comment_again_hide_keeps_it_hidden_dismiss_changes_nothing_and_each_empties_the_entry()
    {
        var flaggers = new List<IUserGrain>();
        for (var i = 0; i < 3; i++) flaggers.Add((await fixture.NewUserAsync()).User);
        var comments = new List<(string ThreadId, long Seq)>();
        for (var i = 0; i < 3; i++)
        {
            var (threadId, seq, _) = await FlaggableCommentAsync();
            comments.Add((threadId, seq));
            foreach (var f in flaggers) await f.FlagComment(threadId, seq, "abuse");
        }

        await Queue.Decide(comments[0].ThreadId, comments[0].Seq, "restore", "mod");
        await Queue.Decide(comments[1].ThreadId, comments[1].Seq, "hide", "mod");
        await Queue.Decide(comments[2].ThreadId, comments[2].Seq, "dismiss", "mod");

        Assert.False((await ShownAsync(comments[0].ThreadId, comments[0].Seq)).Hidden);
        Assert.True((await ShownAsync(comments[1].ThreadId, comments[1].Seq)).Hidden);
        Assert.True((await ShownAsync(comments[2].ThreadId, comments[2].Seq)).Hidden);
        foreach (var (threadId, seq) in comments) Assert.Null(await EntryAsync(threadId, seq));
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => Queue.Decide(comments[0].ThreadId, comments[0].Seq, "hide", "mod2"))).Kind);
        // A restored comment is not hidden again by the same readers: each flags a comment once.
        Assert.True((await flaggers[0].FlagComment(comments[0].ThreadId, comments[0].Seq, "spam")).AlreadyFlagged);
        Assert.Null(await EntryAsync(comments[0].ThreadId, comments[0].Seq));
    }

    [Fact]
    public async Task The_queue_survives_its_grains_deactivation()
    {
        var (threadId, seq, _) = await FlaggableCommentAsync();
        var (reader, readerName) = await fixture.NewUserAsync();
        await reader.FlagComment(threadId, seq, "other");

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(readerName, Assert.Single((await EntryAsync(threadId, seq))!.Flags).Flagger);
    }
}
