namespace Chat.Grains.Tests;

/// <summary>A user: registering a name, and the recent comments their page shows.</summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class UserTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_name_registers_once()
    {
        var user = fixture.Grains.GetGrain<IUserGrain>(ClusterFixture.NewUserName());

        Assert.True(await user.Register("hash-1"));
        Assert.False(await user.Register("hash-2"));
        Assert.Equal("hash-1", await user.GetPasswordHash());
    }

    [Fact]
    public async Task Posting_through_the_user_records_the_comment_among_recent_ones()
    {
        var name = ClusterFixture.NewUserName();
        var user = fixture.Grains.GetGrain<IUserGrain>(name);
        await user.Register("hash");
        var thread = await user.CreateThread("Mine", "https://example.org/x", null);

        var seq = await user.PostComment(thread.Id, 0, "my comment", "c1");

        var comment = (await fixture.Grains.GetGrain<IThreadGrain>(thread.Id).GetComments(0, 10)).Comments.Single();
        Assert.Equal(name, comment.Author);
        var profile = await user.GetProfile();
        Assert.Equal(new CommentRef(thread.Id, seq, "my comment", profile!.RecentComments[0].CreatedAt), profile.RecentComments[0]);
    }

    [Fact]
    public async Task An_unknown_user_has_no_hash_and_cannot_post()
    {
        var user = fixture.Grains.GetGrain<IUserGrain>(ClusterFixture.NewUserName());

        Assert.Null(await user.GetPasswordHash());
        Assert.Null(await user.GetProfile());
        await Assert.ThrowsAsync<ChatException>(() => user.PostComment(Limits.NewThreadId(), 0, "x", "c"));
    }

    [Fact]
    public async Task Edits_and_deletes_through_the_user_update_the_users_page()
    {
        var name = ClusterFixture.NewUserName();
        var user = fixture.Grains.GetGrain<IUserGrain>(name);
        await user.Register("hash");
        var thread = await user.CreateThread("Mine", null, null);
        var kept = await user.PostComment(thread.Id, 0, "kept", "c1");
        var gone = await user.PostComment(thread.Id, 0, "gone", "c2");

        await user.EditComment(thread.Id, kept, "kept, edited");
        await user.DeleteComment(thread.Id, gone);

        var recent = (await user.GetProfile())!.RecentComments;
        Assert.Equal("kept, edited", Assert.Single(recent).Snippet);
    }
}
