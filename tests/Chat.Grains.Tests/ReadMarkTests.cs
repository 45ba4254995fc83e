using Chat.Grains.Users;

namespace Chat.Grains.Tests;

/// <summary>
/// A reader's read marks ("new since your last visit") in their user grain: forward only, checked
/// against the thread, kept across activations, bounded, and carried by the front page's rows.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class ReadMarkTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_mark_moves_forward_only_and_only_visited_threads_have_one()
    {
        var (author, _) = await fixture.NewUserAsync();
        var (reader, _) = await fixture.NewUserAsync();
        var visited = await author.CreateThread("Visited", null, null);
        var other = await author.CreateThread("Never visited", null, null);
        for (var i = 1; i <= 5; i++) await author.PostComment(visited.Id, 0, $"comment {i}", $"c{i}");

        Assert.Equal(new ReadMark(visited.Id, 0), await reader.MarkRead(visited.Id, 0));
        Assert.Equal(new ReadMark(visited.Id, 4), await reader.MarkRead(visited.Id, 4));
        // Another device that read less reports later: the mark stays.
        Assert.Equal(new ReadMark(visited.Id, 4), await reader.MarkRead(visited.Id, 2));

        Assert.Equal([new ReadMark(visited.Id, 4)], await reader.GetReadMarks([visited.Id, other.Id]));
    }

    [Fact]
    public async Task A_mark_past_the_threads_last_comment_or_of_no_thread_is_refused_and_changes_nothing()
    {
        var (author, _) = await fixture.NewUserAsync();
        var (reader, _) = await fixture.NewUserAsync();
        var thread = await author.CreateThread("Two comments", null, null);
        await author.PostComment(thread.Id, 0, "one", "c1");
        await author.PostComment(thread.Id, 0, "two", "c2");
        await reader.MarkRead(thread.Id, 1);

        var past = await Assert.ThrowsAsync<ChatException>(() => reader.MarkRead(thread.Id, 3));
        var negative = await Assert.ThrowsAsync<ChatException>(() => reader.MarkRead(thread.Id, -1));
        var unknown = await Assert.ThrowsAsync<ChatException>(() => reader.MarkRead(Limits.NewThreadId(), 0));

        Assert.Equal((ChatErrorKind.Invalid, ChatErrorKind.Invalid, ChatErrorKind.NotFound), (past.Kind, negative.Kind, unknown.Kind));
        Assert.Contains("past the thread's last comment (2)", past.Message);
        Assert.Equal([new ReadMark(thread.Id, 1)], await reader.GetReadMarks([thread.Id]));
    }

    [Fact]
    public async Task A_mark_is_kept_when_the_user_grain_moves()
    {
        var (author, _) = await fixture.NewUserAsync();
        var (reader, name) = await fixture.NewUserAsync();
        var thread = await author.CreateThread("Read on one silo, then another", null, null);
        for (var i = 1; i <= 3; i++) await author.PostComment(thread.Id, 0, $"comment {i}", $"c{i}");
        await reader.MarkRead(thread.Id, 3);

        await ReactivationTests.DeactivateAsync(reader);

        await Eventually.True(async () => (await fixture.Grains.GetGrain<IUserGrain>(name).GetReadMarks([thread.Id])).SequenceEqual([new ReadMark(thread.Id, 3)]),
            TimeSpan.FromSeconds(10), "the new activation has the mark");
    }

    [Fact]
    public async Task The_readers_own_comment_right_after_their_mark_counts_as_read()
    {
        var (author, _) = await fixture.NewUserAsync();
        var (reader, _) = await fixture.NewUserAsync();
        var thread = await author.CreateThread("Replying as I read", null, null);
        await author.PostComment(thread.Id, 0, "one", "c1");
        await reader.MarkRead(thread.Id, 1);

        var mine = await reader.PostComment(thread.Id, 1, "my answer", "r1");
        var theirs = await author.PostComment(thread.Id, 0, "three", "c3");
        await reader.PostComment(thread.Id, 0, "mine again, but after one I have not read", "r2");

        Assert.Equal((2, 3), (mine, theirs));
        Assert.Equal([new ReadMark(thread.Id, 2)], await reader.GetReadMarks([thread.Id]));
    }

    [Fact]
    public async Task The_front_pages_row_carries_the_threads_last_seq()
    {
        var (author, _) = await fixture.NewUserAsync();
        var thread = await author.CreateThread("Counted on the front page", null, null);
        for (var i = 1; i <= 3; i++) await author.PostComment(thread.Id, 0, $"comment {i}", $"c{i}");

        await Eventually.True(async () => (await fixture.Grains.GetGrain<IFrontPageGrain>(0).GetThreadsSorted("new", 500)).Any(t => t.Id == thread.Id && t.LastSeq == 3),
            TimeSpan.FromSeconds(20), "the front page's row says the last seq is 3");
    }

    [Fact]
    public void A_user_keeps_the_marks_of_the_1000_threads_read_most_recently()
    {
        var clock = new AdvancingClock();
        var marks = new Dictionary<string, ThreadReadMark>();
        var book = new ReadMarkBook(() => marks, clock);
        for (var i = 0; i <= ReadMark.KeptPerUser; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            book.Advance($"thread{i:D4}", 1);
            if (i == 10)
            {
                // Reading the first thread again keeps it among the most recent.
                clock.Advance(TimeSpan.FromSeconds(1));
                book.Advance("thread0000", 2);
            }
        }

        Assert.Equal(ReadMark.KeptPerUser, marks.Count);
        Assert.Equal(2, book.Of("thread0000"));
        Assert.Null(book.Of("thread0001"));
        Assert.Equal(1, book.Of($"thread{ReadMark.KeptPerUser:D4}"));
    }
}
