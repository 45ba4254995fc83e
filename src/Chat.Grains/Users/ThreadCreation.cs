namespace Chat.Grains.Users;

/// <summary>
/// A user's new thread: its id is derived from (user, clientId), so that a retry reaches the thread
/// the first attempt stored. Derived rather than remembered: nothing to save before the thread exists
/// (a remembered id saved lazily could be lost in a crash, and a retry would then create a second
/// thread), and nothing to bound.
/// </summary>
internal static class ThreadCreation
{
    public static string ThreadIdOf(string userName, string clientId) => Limits.ThreadIdOf(userName + "\n" + clientId);

    public static Task<ThreadInfo> CreateAsync(IGrainFactory grains, string userName, string title, string? url, string? body, string clientId) =>
        grains.GetGrain<IThreadGrain>(ThreadIdOf(userName, clientId)).Create(new NewThread(title, url, body, userName, clientId));
}
