using static Chat.Grains.Tests.ThreadComments;

namespace Chat.Grains.Tests;

/// <summary>
/// Posting to a thread: seqs, group commit, retries by clientId, catch-up, reactivation, replies'
/// parents and what bodies are refused.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class PostingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Concurrent_posts_get_contiguous_seqs_from_one_with_no_gap_or_repeat()
    {
        var thread = await fixture.NewThreadByAliceAsync();

        var seqs = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => thread.Post(Comment(i))));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), seqs.Order());
        var page = await thread.GetComments(0, 1000);
        Assert.Equal(200, page.LastSeq);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), page.Comments.Select(c => c.Seq));
        // Each post got the seq under which its own body was stored.
        var bodyBySeq = page.Comments.ToDictionary(c => c.Seq, c => c.Body);
        Assert.All(Enumerable.Range(1, 200), i => Assert.Equal($"comment {i}", bodyBySeq[seqs[i - 1]]));
    }

    [Fact]
    public async Task A_repeated_client_id_returns_the_first_seq_and_stores_nothing_new()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var first = await thread.Post(new NewComment(0, "alice", "hello", "same-id"));

        var sequential = await thread.Post(new NewComment(0, "alice", "hello again", "same-id"));
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => thread.Post(new NewComment(0, "alice", "hello", "other-id"))));
        var otherAuthor = await thread.Post(new NewComment(0, "bob", "hello", "same-id"));

        Assert.Equal(first, sequential);
        Assert.Single(concurrent.Distinct());
        Assert.NotEqual(first, otherAuthor); // clientIds are per author
        var stored = (await thread.GetComments(0, 100)).Comments;
        Assert.Equal(3, stored.Length);
        Assert.Single(stored, c => c.Author == "alice" && c.Body == "hello" && c.Seq == first);
    }

    [Fact]
    public async Task Catch_up_from_any_seq_returns_exactly_the_rest_from_memory_or_the_log()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        for (var i = 1; i <= 120; i++) await thread.Post(Comment(i)); // hot window is 50: early seqs come from the log

        foreach (var after in new long[] { 0, 1, 37, 69, 70, 71, 100, 119, 120, 500 })
        {
            var page = await thread.GetComments(after, 1000);
            Assert.Equal(Enumerable.Range((int)after + 1, Math.Max(0, 120 - (int)after)).Select(i => (long)i), page.Comments.Select(c => c.Seq));
            Assert.Equal(120, page.LastSeq);
        }
        var limited = await thread.GetComments(10, 5);
        Assert.Equal(new long[] { 11, 12, 13, 14, 15 }, limited.Comments.Select(c => c.Seq));
    }

    [Fact]
    public async Task After_reactivation_the_log_is_the_truth_and_retries_are_still_recognised()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var seqs = new List<long>();
        for (var i = 1; i <= 30; i++) seqs.Add(await thread.Post(Comment(i)));

        // Drop every activation in the cluster: the grain comes back from grain state + log.
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);

        var retried = await thread.Post(Comment(7));
        var next = await thread.Post(Comment(31));

        Assert.Equal(7, retried);
        Assert.Equal(31, next);
        Assert.Equal(31, (await thread.GetInfo()).CommentCount);
    }

    [Fact]
    public async Task Replies_name_an_existing_parent()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var parent = await thread.Post(Comment(1));

        var reply = await thread.Post(Comment(2, parent));
        var error = await Assert.ThrowsAsync<ChatException>(() => thread.Post(Comment(3, parent: 99)));

        Assert.Equal(parent, (await thread.GetComments(reply - 1, 1)).Comments.Single().ParentSeq);
        Assert.Equal(ChatErrorKind.Invalid, error.Kind);
        Assert.Contains("99", error.Message);
    }

    [Theory]
    [InlineData("", "Comment is empty")]
    [InlineData("   ", "Comment is empty")]
    [InlineData(null, "too long")]
    public async Task Empty_and_oversized_bodies_are_refused_and_nothing_is_stored(string? body, string refusal)
    {
        var thread = await fixture.NewThreadByAliceAsync();
        body ??= new string('x', Limits.BodyMaxLength + 1); // InlineData cannot hold a computed string

        var error = await Assert.ThrowsAsync<ChatException>(() => thread.Post(new NewComment(0, "alice", body, "c1")));

        Assert.Equal(ChatErrorKind.Invalid, error.Kind);
        Assert.Contains(refusal, error.Message);
        Assert.Equal(0, (await thread.GetInfo()).LastSeq);
    }

    [Fact]
    public async Task An_unknown_thread_is_not_found_and_cannot_be_posted_to()
    {
        var thread = fixture.Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());

        var error = await Assert.ThrowsAsync<ChatException>(() => thread.Post(Comment(1)));

        Assert.Equal(ChatErrorKind.NotFound, error.Kind);
        Assert.Equal(ChatErrorKind.NotFound, (await Assert.ThrowsAsync<ChatException>(() => thread.GetInfo())).Kind);
    }
}
