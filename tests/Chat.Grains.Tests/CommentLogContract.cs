using Chat.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chat.Grains.Tests;

/// <summary>
/// What <see cref="ICommentLog"/> promises, run against each implementation (a subclass per log):
/// the in-memory log stands in for the table one in the grain tests, so it must behave alike
/// wherever a grain can tell. Each test has a thread of its own, so one log serves them all.
/// </summary>
public abstract class CommentLogContract
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 13, 0, 0, 123, TimeSpan.FromHours(2));

    protected abstract ICommentLog Log { get; }

    private static StoredComment Row(string threadId, long seq, long parentSeq = 0, string? body = null) =>
        new(new Comment(threadId, seq, parentSeq, "alice", body ?? $"comment {seq}", At.AddSeconds(seq)), $"c-{seq}");

    private static List<StoredComment> Rows(string threadId, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => Row(threadId, i))];

    [Fact]
    public async Task Appended_comments_read_back_in_seq_order_page_by_page_with_every_field()
    {
        var id = Limits.NewThreadId();
        var full = new StoredComment(new Comment(id, 3, 1, "bob", "every field", At, At.AddMinutes(1), Deleted: false, Points: 4, Hidden: true, Mentions: ["carol", "dave"]), "client-3");
        await Log.AppendAsync(id, [Row(id, 1), Row(id, 2, parentSeq: 1)]);
        await Log.AppendAsync(id, [full, Row(id, 4)]);

        Assert.Equal([1L, 2L, 3L, 4L], (await Log.ReadAsync(id, 0, 10)).Select(r => r.Comment.Seq));
        Assert.Equal([2L, 3L], (await Log.ReadAsync(id, 1, 2)).Select(r => r.Comment.Seq));
        Assert.Empty(await Log.ReadAsync(id, 4, 10));
        Assert.Empty(await Log.ReadAsync(id, 0, 0));
        var read = (await Log.ReadOneAsync(id, 3))!;
        var c = read.Comment;
        Assert.Equal(("client-3", id, 3L, 1L, "bob", "every field"), (read.ClientId, c.ThreadId, c.Seq, c.ParentSeq, c.Author, c.Body));
        Assert.Equal((false, 4L, true), (c.Deleted, c.Points, c.Hidden));
        Assert.Equal(["carol", "dave"], c.Mentions!);
        // The same instants, given back in UTC.
        Assert.Equal((At, TimeSpan.Zero, At.AddMinutes(1), TimeSpan.Zero), (c.CreatedAt, c.CreatedAt.Offset, c.EditedAt!.Value, c.EditedAt.Value.Offset));
        Assert.Null((await Log.ReadOneAsync(id, 1))!.Comment.Mentions);
    }

    [Fact]
    public async Task A_missing_thread_or_seq_reads_as_nothing()
    {
        var id = Limits.NewThreadId();

        Assert.Empty(await Log.ReadAsync(id, 0, 10));
        Assert.Null(await Log.ReadOneAsync(id, 1));
        Assert.Equal(0, await Log.CountGoneAsync(id));
        Assert.Equal(0, await Log.ReadThreadPointsAsync(id));
        Assert.Empty(await Log.ReadVotesOfAsync(id, "bob"));
    }

    [Fact]
    public async Task A_batch_holds_up_to_100_comments_and_a_bigger_one_is_refused_and_stores_nothing()
    {
        var id = Limits.NewThreadId();

        await Log.AppendAsync(id, Rows(id, 1, Limits.MaxBatchSize));
        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(id, Rows(id, 101, Limits.MaxBatchSize + 1)));

        Assert.Equal(100, (await Log.ReadAllAfterAsync(id, 0)).Count);
    }

    [Fact]
    public async Task A_batch_with_a_seq_that_exists_fails_whole_as_unavailable_and_the_first_write_stays()
    {
        var id = Limits.NewThreadId();
        await Log.AppendAsync(id, [Row(id, 1), Row(id, 2)]);

        await Assert.ThrowsAsync<CommentLogUnavailableException>(() => Log.AppendAsync(id, [Row(id, 3), Row(id, 2, body: "again")]));

        Assert.Equal([1L, 2L], (await Log.ReadAsync(id, 0, 10)).Select(r => r.Comment.Seq));
        Assert.Equal("comment 2", (await Log.ReadOneAsync(id, 2))!.Comment.Body);
    }

    [Fact]
    public async Task Threads_are_apart()
    {
        var (a, b) = (Limits.NewThreadId(), Limits.NewThreadId());
        await Log.AppendAsync(a, [Row(a, 1)]);
        await Log.AppendAsync(b, [Row(b, 1), Row(b, 2)]);

        Assert.Equal([a], (await Log.ReadAsync(a, 0, 10)).Select(r => r.Comment.ThreadId));
        Assert.Equal(2, (await Log.ReadAsync(b, 0, 10)).Count);
    }

    [Fact]
    public async Task An_edit_keeps_the_earlier_text_the_newest_19_of_them_apart_from_the_comments_and_their_count()
    {
        var id = Limits.NewThreadId();
        await Log.AppendAsync(id, [Row(id, 1), Row(id, 2)]);

        for (var n = 1; n <= 21; n++)
            await Log.ReplaceKeepingAsync(Row(id, 1, body: $"version {n + 1}") with { Comment = Row(id, 1, body: $"version {n + 1}").Comment with { EditedAt = At.AddMinutes(n) } },
                new CommentVersion(n == 1 ? "comment 1" : $"version {n}", At.AddMinutes(n - 1)));
        await Assert.ThrowsAsync<CommentLogUnavailableException>(() => Log.ReplaceKeepingAsync(Row(id, 3), new CommentVersion("x", At)));

        var kept = await Log.ReadHistoryAsync(id, 1);
        Assert.Equal(CommentVersion.MaxVersions - 1, kept.Count);
        Assert.Equal(Enumerable.Range(3, 19).Select(n => $"version {n}"), kept.Select(v => v.Body));
        Assert.Equal(At.AddMinutes(2).UtcDateTime, kept[0].At.UtcDateTime);
        Assert.Equal("version 22", (await Log.ReadOneAsync(id, 1))!.Comment.Body);
        Assert.Empty(await Log.ReadHistoryAsync(id, 2));
        Assert.Equal(2, (await Log.ReadAsync(id, 0, 10)).Count);
        Assert.Equal(0, await Log.CountGoneAsync(id));
    }

    [Fact]
    public async Task Replace_overwrites_a_stored_comment_and_refuses_one_that_was_never_stored()
    {
        var id = Limits.NewThreadId();
        await Log.AppendAsync(id, [Row(id, 1), Row(id, 2), Row(id, 3)]);

        await Log.ReplaceAsync(Row(id, 1) with { Comment = Row(id, 1).Comment with { Body = "", Deleted = true } });
        await Log.ReplaceAsync(Row(id, 2) with { Comment = Row(id, 2).Comment with { Hidden = true } });
        await Log.ReplaceAsync(Row(id, 3) with { Comment = Row(id, 3).Comment with { Body = "edited", EditedAt = At } });
        await Assert.ThrowsAsync<CommentLogUnavailableException>(() => Log.ReplaceAsync(Row(id, 4)));

        Assert.Equal(("", true), ((await Log.ReadOneAsync(id, 1))!.Comment.Body, (await Log.ReadOneAsync(id, 1))!.Comment.Deleted));
        Assert.Equal("edited", (await Log.ReadOneAsync(id, 3))!.Comment.Body);
        Assert.Null(await Log.ReadOneAsync(id, 4));
        Assert.Equal(2, await Log.CountGoneAsync(id)); // deleted or hidden
    }

    [Fact]
    public async Task A_vote_counts_once_per_voter_sets_the_targets_points_and_is_apart_from_the_comments()
    {
        var id = Limits.NewThreadId();
        await Log.AppendAsync(id, [Row(id, 1), Row(id, 2)]);

        Assert.True(await Log.ApplyVoteAsync(id, 2, "bob", up: true, pointsAfter: 1));
        Assert.False(await Log.ApplyVoteAsync(id, 2, "bob", up: true, pointsAfter: 2));
        Assert.True(await Log.ApplyVoteAsync(id, 1, "bob", up: true, pointsAfter: 1));
        Assert.True(await Log.ApplyVoteAsync(id, 0, "bob", up: true, pointsAfter: 1));
        Assert.True(await Log.ApplyVoteAsync(id, 2, "carol", up: true, pointsAfter: 2));
        Assert.True(await Log.ApplyVoteAsync(id, 1, "bob", up: false, pointsAfter: 0));
        Assert.False(await Log.ApplyVoteAsync(id, 1, "bob", up: false, pointsAfter: -1));

        Assert.Equal([0L, 2L], (await Log.ReadVotesOfAsync(id, "bob")).Order());
        Assert.Equal([2L], await Log.ReadVotesOfAsync(id, "carol"));
        Assert.Equal((0L, 2L), ((await Log.ReadOneAsync(id, 1))!.Comment.Points, (await Log.ReadOneAsync(id, 2))!.Comment.Points));
        Assert.Equal(1, await Log.ReadThreadPointsAsync(id));
        // Vote rows are no comments.
        Assert.Equal([1L, 2L], (await Log.ReadAsync(id, 0, 10)).Select(r => r.Comment.Seq));
        Assert.Equal(0, await Log.CountGoneAsync(id));
    }

    [Fact]
    public async Task A_vote_on_a_comment_that_was_never_stored_fails_and_is_not_kept()
    {
        var id = Limits.NewThreadId();
        await Log.AppendAsync(id, [Row(id, 1)]);

        await Assert.ThrowsAsync<CommentLogUnavailableException>(() => Log.ApplyVoteAsync(id, 5, "bob", up: true, pointsAfter: 1));

        Assert.Empty(await Log.ReadVotesOfAsync(id, "bob"));
        Assert.Null(await Log.ReadOneAsync(id, 5));
    }
}

/// <summary>The contract on the in-memory log: no process, no network.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class InMemoryCommentLogTests : CommentLogContract
{
    protected override ICommentLog Log { get; } = new InMemoryCommentLog();
}

/// <summary>The contract on the Azure Table log, against Azurite.</summary>
[Trait(Lanes.Trait, Lanes.Storage)]
public sealed class TableCommentLogTests(AzuriteFixture azurite) : CommentLogContract, IClassFixture<AzuriteFixture>
{
    protected override ICommentLog Log { get; } = new TableCommentLog(azurite.Server.Table(TableCommentLog.DefaultTableName), NullLogger<TableCommentLog>.Instance);
}

/// <summary>One Azurite for a test class.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
