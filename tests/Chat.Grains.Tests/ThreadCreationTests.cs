namespace Chat.Grains.Tests;

/// <summary>
/// Creating a thread: a second creation is a conflict, unless it is a retry with the same (user,
/// clientId), which gets the thread the first attempt stored; that thread's front-page row is
/// written in the end, retry or not.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class ThreadCreationTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private Task<ThreadSummary[]> FrontPageAsync() => fixture.Grains.GetGrain<IFrontPageGrain>(0).GetThreads(500);

    [Fact]
    public async Task A_retry_after_a_failed_front_page_write_gets_the_same_thread_and_it_is_listed_once()
    {
        var (user, name) = await fixture.NewUserAsync();
        var title = "Retried creation " + Guid.NewGuid().ToString("N");
        FrontPageFaults.FailNextRows(title, 1);

        var failed = await Assert.ThrowsAsync<ChatException>(() => user.CreateThread(title, null, "body", "create-1"));
        var retried = await user.CreateThread(title, null, "body", "create-1");

        Assert.Equal(ChatErrorKind.StorageUnavailable, failed.Kind);
        // The failed attempt had stored its thread (the front page refused exactly that one's row):
        // the retry is that thread, not a second one.
        var stored = Assert.Single(FrontPageFaults.RefusedIds(title));
        Assert.Equal(stored, retried.Id);
        Assert.Equal((name, title), (retried.Author, retried.Title));
        var listed = Assert.Single(await FrontPageAsync(), t => t.Title == title);
        Assert.Equal((stored, name), (listed.Id, listed.Author));
        // Another clientId is another creation.
        Assert.NotEqual(stored, (await user.CreateThread(title, null, "body", "create-2")).Id);
    }

    [Fact]
    public async Task A_front_page_row_that_failed_is_written_by_the_thread_itself_without_a_retry()
    {
        var (user, _) = await fixture.NewUserAsync();
        var title = "Unretried creation " + Guid.NewGuid().ToString("N");
        FrontPageFaults.FailNextRows(title, 2);

        await Assert.ThrowsAsync<ChatException>(() => user.CreateThread(title, null, null, "create-1"));

        // The grain's housekeeping keeps trying (the second try fails too) until the row lands.
        var stored = FrontPageFaults.RefusedIds(title).First();
        await Eventually.True(async () => (await FrontPageAsync()).Any(t => t.Id == stored), Deadline, "the thread's row on the front page");
        Assert.Equal([stored, stored], FrontPageFaults.RefusedIds(title));
    }

    [Fact]
    public async Task The_same_creation_key_of_another_author_or_no_key_at_all_is_still_a_conflict()
    {
        var thread = fixture.Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
        var created = await thread.Create(new NewThread("Keyed", null, null, "alice", "k1"));

        var again = await thread.Create(new NewThread("Keyed", null, null, "alice", "k1"));

        Assert.Equal(created, again);
        Assert.Equal(ChatErrorKind.Conflict, (await Assert.ThrowsAsync<ChatException>(() => thread.Create(new NewThread("Keyed", null, null, "bob", "k1")))).Kind);
        Assert.Equal(ChatErrorKind.Conflict, (await Assert.ThrowsAsync<ChatException>(() => thread.Create(new NewThread("Keyed", null, null, "alice")))).Kind);
    }

    [Fact]
    public async Task Creating_a_thread_twice_is_a_conflict_and_a_new_thread_is_on_the_front_page()
    {
        var thread = await fixture.NewThreadByAliceAsync();

        var error = await Assert.ThrowsAsync<ChatException>(() => thread.Create(new NewThread("Again", null, null, "bob")));

        Assert.Equal(ChatErrorKind.Conflict, error.Kind);
        Assert.Equal("alice", (await thread.GetInfo()).Author);
        var front = await fixture.Grains.GetGrain<IFrontPageGrain>(0).GetThreads(500);
        Assert.Contains(front, t => t.Id == thread.GetPrimaryKeyString());
    }
}
