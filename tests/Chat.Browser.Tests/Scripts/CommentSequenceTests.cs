using Xunit;
using static Chat.Browser.Tests.Scripts.CommentSequenceScript;

namespace Chat.Browser.Tests.Scripts;

/// <summary>
/// What the thread page draws, drops and fetches, decided by wwwroot/js/thread/sequence.js alone:
/// every comment exactly once, in seq order, under its parent; a gap read over HTTP, exactly it.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class CommentSequenceTests : IDisposable
{
    private readonly CommentSequenceScript _page = new();

    public void Dispose() => _page.Dispose();

    [Fact]
    public void A_batch_in_any_order_is_drawn_in_seq_order_and_nothing_is_left_to_fetch()
    {
        var received = _page.Receive(Comments(2, 3, 1));

        Assert.Equal([1, 2, 3], received.DrawnSeqs);
        Assert.Empty(received.Duplicates);
        Assert.Equal(new State(LastSeq: 3, TargetSeq: 3, NotShown: 0, HighestShown: 3), _page.Now);
        Assert.Null(_page.NextFetch());
    }

    [Fact]
    public void Comments_the_page_already_shows_are_dropped_as_duplicates_and_drawn_once()
    {
        _page.Receive(Comments(1, 2, 3));

        var overlapping = _page.Receive(Comments(2, 3, 4, 4));

        Assert.Equal([4], overlapping.DrawnSeqs);
        Assert.Equal([2, 3], overlapping.Duplicates);
        var again = _page.Receive(Comments(4));
        Assert.Empty(again.DrawnSeqs);
        Assert.Equal([4], again.Duplicates);
        Assert.Equal(4, _page.Now.LastSeq);
    }

    [Fact]
    public void A_gap_draws_nothing_after_it_and_asks_for_exactly_the_missing_comments()
    {
        _page.Receive(Comments(1, 2, 3));

        var afterGap = _page.Receive(Comments(6, 7));

        Assert.Empty(afterGap.DrawnSeqs);
        Assert.Equal(new Fetch(After: 3, Limit: 2), _page.NextFetch());
        Assert.Equal(3, _page.Now.LastSeq);
        Assert.Equal(7, _page.Now.TargetSeq);

        // The page over HTTP fills the gap: the held comments follow it at once, in order.
        var filled = _page.Receive(Comments(4, 5));
        Assert.Equal([4, 5, 6, 7], filled.DrawnSeqs);
        Assert.Null(_page.NextFetch());
    }

    [Fact]
    public void A_reply_to_a_shown_comment_is_drawn_at_once_across_a_gap_and_not_again_when_the_gap_fills()
    {
        _page.Receive(Comments(1, 2, 3));

        var reply = _page.Receive([new Comment(6, ParentSeq: 2, "A reply to the second comment.")]);

        Assert.Equal([6], reply.DrawnSeqs);
        Assert.Equal(3, _page.Now.LastSeq);
        // Only 4 and 5 are missing: the read stops before the reply the page holds.
        Assert.Equal(new Fetch(After: 3, Limit: 2), _page.NextFetch());
        var page = _page.Receive(Comments(4, 5, 6));
        Assert.Equal([4, 5], page.DrawnSeqs);
        Assert.Equal([6], page.Duplicates);
        Assert.Equal(6, _page.Now.LastSeq);
    }

    [Fact]
    public void A_join_after_a_reconnect_resumes_from_the_last_seq_and_pushes_buffered_meanwhile_add_only_what_is_new()
    {
        _page.Receive(Comments(1, 2, 3, 4, 5));
        // The page re-joins with JoinThread(threadId, lastSeq): the server sends what came after it.
        Assert.Equal(5, _page.Now.LastSeq);

        var joined = _page.Receive(Range(6, 8), knownLastSeq: 8);
        var buffered = _page.Receive(Comments(8, 9));

        Assert.Equal([6, 7, 8], joined.DrawnSeqs);
        Assert.Equal([9], buffered.DrawnSeqs);
        Assert.Equal([8], buffered.Duplicates);
        Assert.Null(_page.NextFetch());
    }

    [Fact]
    public void A_big_thread_shows_its_first_page_and_reads_the_next_only_when_the_reader_wants_it()
    {
        var joined = _page.Receive(Range(1, PageSize), knownLastSeq: 10_000);

        Assert.Equal(PageSize, joined.Drawn.Length);
        Assert.Equal(10_000 - PageSize, _page.Now.NotShown);
        Assert.Null(_page.NextFetch());
        // Scrolling near the end, or "load more": the next page.
        Assert.Equal(new Fetch(After: PageSize, Limit: PageSize), _page.NextFetch(wantUpTo: 2 * PageSize));
        // A permalink far down: larger pages on the way there.
        Assert.Equal(new Fetch(After: PageSize, Limit: JumpPageSize), _page.NextFetch(wantUpTo: 9_500, jumpTo: 9_500));
    }

    [Fact]
    public void A_live_comment_beyond_what_is_loaded_waits_for_its_page_and_the_last_short_rest_is_read_unasked()
    {
        _page.Receive(Range(1, PageSize), knownLastSeq: 1_200);

        var live = _page.Receive(Comments(1_201));

        Assert.Empty(live.DrawnSeqs);
        Assert.Equal(new Fetch(After: PageSize, Limit: PageSize), _page.NextFetch(wantUpTo: 2 * PageSize));
        _page.Receive(Range(PageSize + 1, 2 * PageSize));
        // 200 left before the held comment: read without the reader asking, and no further.
        Assert.Equal(new Fetch(After: 2 * PageSize, Limit: 200), _page.NextFetch());
        Assert.Equal(LongRange(2 * PageSize + 1, 1_201), _page.Receive(Range(2 * PageSize + 1, 1_200)).DrawnSeqs);
    }

    [Fact]
    public void An_update_redraws_a_shown_comment_and_one_for_a_comment_not_shown_draws_nothing_until_it_arrives()
    {
        _page.Receive(Comments(1));

        var redraw = _page.Update(new Comment(1, 0, "Edited.", EditedAt: "2026-01-01T00:00:00Z"));
        var early = _page.Update(new Comment(2, 0, "Edited before this page had it."), new Comment(0, 0, "no such seq"));

        Assert.Equal([1], redraw);
        Assert.Equal("Edited.", _page.Shown(1)!.Body);
        Assert.Empty(early);
        Assert.Null(_page.Shown(2));
        Assert.Equal(1, _page.Now.LastSeq);
        // The comment's page (read before the edit) arrives: the newer version is what shows.
        var arrived = _page.Receive([new Comment(2, 0, "The original text.")]);
        Assert.Equal(["Edited before this page had it."], arrived.Drawn.Select(c => c.Body));
    }

    [Fact]
    public void An_update_for_a_comment_held_behind_a_gap_shows_when_the_gap_fills()
    {
        _page.Receive(Comments(1));
        _page.Receive(Comments(3));

        Assert.Empty(_page.Update(new Comment(3, 0, "Deleted meanwhile.", Deleted: true)));

        var filled = _page.Receive(Comments(2));
        Assert.Equal([2, 3], filled.DrawnSeqs);
        Assert.True(filled.Drawn[1].Deleted);
    }

    [Fact]
    public void After_a_re_join_only_shown_comments_that_changed_meanwhile_are_redrawn()
    {
        _page.Receive(Comments(1, 2, 3));
        _page.Receive([new Comment(5, ParentSeq: 1, "Reply drawn ahead of the pages.")]);
        Assert.Equal(5, _page.Now.HighestShown);

        var reread = Comments(1, 2, 3, 4, 5);
        reread[1] = reread[1] with { Body = "Edited while away.", EditedAt = "2026-01-01T00:00:00Z" };
        reread[2] = reread[2] with { Points = 4 };
        reread[4] = new Comment(5, 1, "Reply drawn ahead of the pages.");

        Assert.Equal([2, 3], _page.Changed(reread));
    }

    [Fact]
    public void The_count_starts_from_the_servers_and_adds_each_new_visible_comment_once()
    {
        // The server counted 2 visible comments among seqs 1..3 (one was deleted).
        _page.CountFrom(commentCount: 2, lastSeq: 3);
        _page.Receive(Comments(1, 2, 3), knownLastSeq: 3);
        Assert.Equal(2, _page.VisibleCount);

        _page.Receive(Comments(4));
        _page.Receive(Comments(6));        // held behind a gap: it exists, so it counts
        _page.Receive(Comments(6, 4));     // the same pushes again
        _page.Receive([new Comment(5, 0, "", Deleted: true, Hidden: true)]); // a placeholder filling a hole
        Assert.Equal(4, _page.VisibleCount);
    }

    [Fact]
    public void Deleting_or_hiding_a_comment_takes_it_off_the_count_once_and_showing_it_again_puts_it_back()
    {
        _page.CountFrom(commentCount: 3, lastSeq: 3);
        _page.Receive(Comments(1, 2, 3), knownLastSeq: 3);

        var deleted = new Comment(2, 0, "", Deleted: true);
        _page.Update(deleted);             // the author's own page draws it at once…
        _page.Update(deleted);             // …and then the push of the same change arrives
        _page.Update(new Comment(3, 0, "Comment 3.", Hidden: true));
        Assert.Equal(1, _page.VisibleCount);

        _page.Update(new Comment(3, 0, "Comment 3."));
        Assert.Equal(2, _page.VisibleCount);

    }

    [Fact]
    public void A_comment_deleted_far_down_a_big_thread_that_this_page_has_not_loaded_comes_off_the_count()
    {
        _page.CountFrom(commentCount: 600, lastSeq: 600);
        _page.Receive(Range(1, 500), knownLastSeq: 600);

        _page.Update(new Comment(550, 0, "", Deleted: true));

        Assert.Equal(599, _page.VisibleCount);
    }

    [Fact]
    public void A_new_comment_deleted_before_its_push_arrives_is_not_counted()
    {
        _page.CountFrom(commentCount: 1, lastSeq: 1);
        _page.Receive(Comments(1), knownLastSeq: 1);

        _page.Update(new Comment(2, 0, "", Deleted: true)); // its update overtook it
        _page.Receive(Comments(2));

        Assert.Equal(1, _page.VisibleCount);
    }

    [Fact]
    public void A_vote_taken_back_on_a_hidden_comment_the_page_has_not_loaded_leaves_the_count_alone()
    {
        // 550 was hidden by a moderator before the page opened: the server counts 599.
        _page.CountFrom(commentCount: 599, lastSeq: 600);
        _page.Receive(Range(1, 500), knownLastSeq: 600);

        _page.Update(new Comment(550, 0, "", Points: 0, Hidden: true));

        Assert.Equal(599, _page.VisibleCount);
    }

    [Fact]
    public void A_hidden_comment_the_page_has_not_loaded_shown_again_is_counted_once_the_server_is_asked()
    {
        _page.CountFrom(commentCount: 599, lastSeq: 600);
        _page.Receive(Range(1, 500), knownLastSeq: 600);
        _page.Receive(Comments(601));      // a new comment meanwhile: counted on the page

        _page.Update(new Comment(550, 0, "Comment 550."));
        Assert.True(_page.CountUnsure);

        // The server's count as of its last seq, 601 (550 visible again, 601 counted by it too).
        _page.Recount(commentCount: 601, lastSeq: 601);
        Assert.Equal(601, _page.VisibleCount);
        Assert.False(_page.CountUnsure);
        _page.Receive(Comments(602));
        Assert.Equal(602, _page.VisibleCount);
    }
}
