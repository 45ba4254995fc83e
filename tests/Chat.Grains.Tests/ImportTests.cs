namespace Chat.Grains.Tests;

/// <summary><see cref="IThreadGrain.Import"/>: source keys, parents by key, group commit, refusals, reactivation.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class ImportTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Original = new(2015, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private async Task<IThreadGrain> NewThreadAsync()
    {
        var thread = fixture.Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
        await thread.Create(new NewThread("Imported", null, null, "op@hn"));
        return thread;
    }

    /// <summary>n top-level comments, each with one reply: keys t1..tn and r1..rn, parents first.</summary>
    private static ImportedComment[] Tree(int n) =>
    [
        .. Enumerable.Range(1, n).Select(i => new ImportedComment($"t{i}", null, "alice@hn", $"top {i}", Original.AddMinutes(i))),
        .. Enumerable.Range(1, n).Select(i => new ImportedComment($"r{i}", $"t{i}", "bob@hn", $"reply to {i}", Original.AddMinutes(n + i))),
    ];

    [Fact]
    public async Task Imported_comments_keep_their_tree_and_times_and_a_second_import_after_reactivation_stores_nothing()
    {
        var thread = await NewThreadAsync();
        var comments = Tree(60);

        var first = await thread.Import(comments[..70]);
        var rest = await thread.Import(comments[70..]);
        // Drop every activation: the grain has to learn which keys exist from the log again.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var again = await thread.Import(comments);

        Assert.Equal(new ImportResult(70, 0), first);
        Assert.Equal(new ImportResult(50, 0), rest);
        Assert.Equal(new ImportResult(0, 120), again);
        var stored = (await thread.GetComments(0, 1000)).Comments;
        Assert.Equal(120, stored.Length);
        var seqOf = stored.ToDictionary(c => c.Body, c => c.Seq);
        Assert.All(Enumerable.Range(1, 60), i =>
        {
            var reply = stored.Single(c => c.Body == $"reply to {i}");
            Assert.Equal(seqOf[$"top {i}"], reply.ParentSeq);
            Assert.Equal(Original.AddMinutes(60 + i), reply.CreatedAt);
        });
    }

    [Fact]
    public async Task A_users_own_client_id_that_looks_like_a_source_key_does_not_count_as_imported()
    {
        var thread = await NewThreadAsync();
        var users = await thread.Post(new NewComment(0, "alice", "a user's comment", "hn-1"));

        var result = await thread.Import([new ImportedComment("hn-1", null, "alice@hn", "the imported one", null)]);

        Assert.Equal(new ImportResult(1, 0), result);
        Assert.Equal(new[] { (users, "alice"), (users + 1, "alice@hn") }, (await thread.GetComments(0, 10)).Comments.Select(c => (c.Seq, c.Author)));
    }

    public static TheoryData<ImportedComment, string> BadComments => new()
    {
        { new ImportedComment("k2", null, "alice", "an account as author", null), "is not a display name" },
        { new ImportedComment("k2", "nowhere", "alice@hn", "reply to nothing", null), "replies to nowhere" },
        { new ImportedComment("k2", null, "alice@hn", "", null), "Comment is empty." },
        { new ImportedComment("k1", null, "alice@hn", "the same key again", null), "appears twice" },
    };

    [Theory]
    [MemberData(nameof(BadComments))]
    public async Task A_call_with_one_bad_comment_stores_none_of_them(ImportedComment bad, string expected)
    {
        var thread = await NewThreadAsync();

        var error = await Assert.ThrowsAsync<ChatException>(() => thread.Import([new ImportedComment("k1", null, "alice@hn", "fine", null), bad]));

        Assert.Equal(ChatErrorKind.Invalid, error.Kind);
        Assert.Contains(expected, error.Message);
        Assert.Equal(0, (await thread.GetInfo()).CommentCount);
    }
}
