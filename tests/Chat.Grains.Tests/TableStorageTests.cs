using static Chat.Grains.Tests.ReactivationTests;
using static Chat.Grains.Tests.ThreadComments;

namespace Chat.Grains.Tests;

/// <summary>
/// What the grains write into Azure Table Storage itself: comment rows, how few table transactions
/// group commit sends (the in-memory log answers too fast for a queue to build up behind a write),
/// and grain state read back from table storage by a new activation.
/// </summary>
[Trait(Lanes.Trait, Lanes.Storage)]
[Collection(AzuriteClusterCollection.Name)]
public sealed class TableStorageTests(AzuriteClusterFixture fixture)
{
    [Fact]
    public async Task An_acknowledged_comment_is_a_row_in_the_comments_table()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var seq = await thread.Post(new NewComment(0, "alice", "durable", "c-durable"));

        var row = await fixture.Azurite.Table("comments").GetEntityAsync<Azure.Data.Tables.TableEntity>(thread.GetPrimaryKeyString(), seq.ToString("D19"));

        Assert.Equal("durable", row.Value.GetString("Body"));
        Assert.Equal("alice", row.Value.GetString("Author"));
    }

    [Fact]
    public async Task Many_people_following_a_thread_at_once_are_all_saved_and_read_back_by_a_new_activation()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var followers = fixture.Grains.GetGrain<IThreadFollowersGrain>(thread.GetPrimaryKeyString());
        var names = Enumerable.Range(0, 30).Select(i => $"crowd{i}-{Guid.NewGuid():N}"[..20]).ToArray();

        // The first follower makes the row; then the crowd comes together, as when a hot thread's
        // readers all comment (and so follow) in the same moment: each follow is saved before it
        // returns, and none may fail on another's write of the same row.
        await followers.Follow(names[0]);
        await Task.WhenAll(names.Skip(1).Select(followers.Follow));
        await DeactivateAsync(followers);

        Assert.Equal(names.Length, await followers.Count());
    }

    [Fact]
    public async Task A_followers_row_changed_behind_the_grains_back_is_written_over_and_every_follow_kept()
    {
        var thread = await fixture.NewThreadByAliceAsync();
        var followers = fixture.Grains.GetGrain<IThreadFollowersGrain>(thread.GetPrimaryKeyString());
        await followers.Follow("ann");
        // What a write that timed out but landed leaves behind: the row's ETag is not the one the
        // grain holds. (Here another writer touches the row; the grain cannot tell the difference.)
        // Before, every later write failed until the grain was reloaded.
        var table = fixture.Azurite.Table("OrleansGrainState");
        var row = table.Query<Azure.Data.Tables.TableEntity>().Single(e => e.PartitionKey.Contains(thread.GetPrimaryKeyString(), StringComparison.Ordinal) && e.RowKey.Contains("follow", StringComparison.OrdinalIgnoreCase));
        await table.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Merge);

        await followers.Follow("bob");
        await followers.Follow("cid");
        await DeactivateAsync(followers);

        Assert.Equal(3, await followers.Count());
    }

    [Fact]
    public async Task Group_commit_writes_200_concurrent_posts_in_far_fewer_than_200_transactions()
    {
        var thread = await fixture.NewThreadByAliceAsync();

        await Task.WhenAll(Enumerable.Range(1, 200).Select(i => thread.Post(Comment(i))));

        var transactions = fixture.TransactionsOf(thread.GetPrimaryKeyString());
        Assert.InRange(transactions, 2, 40); // at most 100 per transaction, so at least 2
    }

    [Fact]
    public async Task A_hundred_imported_comments_go_through_group_commit_in_a_few_transactions()
    {
        var thread = fixture.Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
        await thread.Create(new NewThread("Imported", null, null, "op@hn"));

        await thread.Import([.. Enumerable.Range(1, 100).Select(i => new ImportedComment($"k{i}", null, "alice@hn", $"comment {i}", null))]);

        // Batched, not one transaction per comment. Usually 2 (the flusher takes the first comment at
        // once, then the 99 queued behind it); more if a slow write let the queue split differently.
        Assert.InRange(fixture.TransactionsOf(thread.GetPrimaryKeyString()), 1, 10);
        Assert.Equal(100, (await thread.GetInfo()).CommentCount);
    }

    [Fact]
    public async Task A_user_and_a_thread_activated_again_read_their_state_back_from_table_storage()
    {
        var (user, name) = await fixture.NewUserAsync();
        var thread = await user.CreateThread("Read back from the table", null, null);
        var seq = await user.PostComment(thread.Id, 0, "remembered", "c1");
        await user.MarkRead(thread.Id, seq);
        var threadGrain = fixture.Grains.GetGrain<IThreadGrain>(thread.Id);
        await threadGrain.SetLocked(true, "mod"); // written at once

        await DeactivateAsync(user); // saves the lazily kept recent comments and read marks
        await DeactivateAsync(threadGrain);

        var profile = await user.GetProfile();
        Assert.Equal((name, "remembered"), (profile!.UserName, Assert.Single(profile.RecentComments).Snippet));
        Assert.Equal([new ReadMark(thread.Id, seq)], await user.GetReadMarks([thread.Id]));
        var info = await threadGrain.GetInfo();
        Assert.Equal(("Read back from the table", 1L, 1L, true), (info.Title, info.LastSeq, info.CommentCount, info.Locked));
    }
}
