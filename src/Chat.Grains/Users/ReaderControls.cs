using Microsoft.Extensions.Logging;

namespace Chat.Grains.Users;

/// <summary>
/// What a user controls for themselves: whom they muted, which of their comments are quiet, which
/// threads they follow, and whether starting or joining a thread follows it. Kept in the user's
/// state and written at once (a setting the user just changed must not come back after a crash);
/// a followed thread's followers are also in its <see cref="IThreadFollowersGrain"/>, which fans out.
/// Mutes never leave this grain: nothing anyone else can call shows them.
/// </summary>
internal sealed class ReaderControls(string userName, IPersistentState<UserState> state, LazyGrainState<UserState> saved, UserInbox inbox, IGrainFactory grains, TimeProvider time, ILogger logger)
{
    private UserState S => state.State;
    private List<string> Muted => S.Muted ??= [];
    private List<QuietedComment> Quieted => S.Quieted ??= [];
    private List<FollowedThread> Follows => S.Follows ??= [];

    public ReaderControlsView View() => new([.. Muted], [.. Quieted], [.. Follows], Settings());

    public ReaderSettings Settings() => new(!S.AutoFollowOff);

    public bool IsFollowing(string threadId) => Follows.Any(f => f.ThreadId == threadId);

    /// <summary>
    /// Whether an inbox item must not reach this user: anything by someone they muted, and replies to
    /// a comment they quieted. Followed-thread counts are not by anyone in particular.
    /// </summary>
    public bool Blocks(InboxItem item) =>
        item.Kind != InboxItem.FollowedKind
        && (Muted.Contains(item.Author) || (item.Kind is null or InboxItem.ReplyKind && Quieted.Contains(new QuietedComment(item.ThreadId, item.ParentSeq))));

    /// <summary>New comments in a followed thread. One this user no longer follows (a follow lost in a crash) is told so, and dropped.</summary>
    public void Followed(string threadId, string threadTitle, long firstSeq, int count)
    {
        if (IsFollowing(threadId)) inbox.AddFollowed(threadId, threadTitle, firstSeq, count, time.GetUtcNow());
        else Followers(threadId).Unfollow(userName).Ignore();
    }

    public async Task MuteAsync(string name, bool mute)
    {
        var target = Limits.NormalizeUserName(name ?? "");
        if (Limits.CheckUserName(target) is not null) throw ChatException.NotFound($"There is no user {name}.");
        if (target == userName) throw ChatException.Invalid("You cannot mute yourself.");
        if (Muted.Contains(target) == mute) return;
        if (mute)
        {
            if (!await grains.GetGrain<IUserGrain>(target).Exists()) throw ChatException.NotFound($"There is no user {name}.");
            if (Muted.Count >= ReaderLimits.MaxMutes) throw ChatException.Invalid($"You can mute at most {ReaderLimits.MaxMutes} people.");
            Muted.Add(target);
        }
        else Muted.Remove(target);
        await saved.WriteAsync();
    }

    public async Task SetQuietAsync(string threadId, long seq, bool quiet)
    {
        if (!Limits.IsValidThreadId(threadId) || seq < 1) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        var comment = (await grains.GetGrain<IThreadGrain>(threadId).GetComments(seq - 1, 1)).Comments.FirstOrDefault();
        if (comment is null || comment.Seq != seq) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        if (comment.Author != userName) throw ChatException.Forbidden("Only its author can quiet a comment.");
        var key = new QuietedComment(threadId, seq);
        if (Quieted.Contains(key) == quiet) return;
        if (quiet)
        {
            if (Quieted.Count >= ReaderLimits.MaxQuieted) throw ChatException.Invalid($"You can quiet at most {ReaderLimits.MaxQuieted} comments.");
            Quieted.Add(key);
        }
        else Quieted.Remove(key);
        await saved.WriteAsync();
    }

    public async Task SetFollowAsync(string threadId, bool follow)
    {
        if (!Limits.IsValidThreadId(threadId)) throw ChatException.NotFound($"Thread {threadId} does not exist.");
        if (!follow)
        {
            if (Follows.RemoveAll(f => f.ThreadId == threadId) > 0) await saved.WriteAsync();
            await Followers(threadId).Unfollow(userName);
            return;
        }
        var info = await grains.GetGrain<IThreadGrain>(threadId).GetInfo();
        if (IsFollowing(threadId)) return;
        if (Follows.Count >= ReaderLimits.MaxFollows) throw ChatException.Invalid($"You can follow at most {ReaderLimits.MaxFollows} threads.");
        // Added before the awaits: a second follow of the same thread meanwhile (posting right after starting it) finds it.
        var followed = new FollowedThread(threadId, info.Title, time.GetUtcNow());
        Follows.Add(followed);
        try
        {
            await Followers(threadId).Follow(userName);
        }
        catch
        {
            Follows.Remove(followed);
            throw;
        }
        await saved.WriteAsync();
    }

    public async Task<ReaderSettings> SetAutoFollowAsync(bool autoFollow)
    {
        if (S.AutoFollowOff == !autoFollow) return Settings();
        S.AutoFollowOff = !autoFollow;
        await saved.WriteAsync();
        return Settings();
    }

    /// <summary>This user started or commented in the thread: followed, unless they turned that off or follow it already. Off the posting path.</summary>
    public void Joined(string threadId)
    {
        if (S.AutoFollowOff || IsFollowing(threadId) || Follows.Count >= ReaderLimits.MaxFollows) return;
        AutoFollowAsync(threadId).Ignore();
    }

    private async Task AutoFollowAsync(string threadId)
    {
        try
        {
            await SetFollowAsync(threadId, true);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "User {User}: following thread {ThreadId} on joining it failed", userName, threadId);
        }
    }

    private IThreadFollowersGrain Followers(string threadId) => grains.GetGrain<IThreadFollowersGrain>(threadId);
}
