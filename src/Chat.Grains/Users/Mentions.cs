namespace Chat.Grains.Users;

/// <summary>
/// Which "@name"s of a new comment name users: resolved by the poster's grain before posting, so the
/// stored comment says which names are links, and the thread only has to notify them.
/// </summary>
internal static class Mentions
{
    /// <summary>
    /// The existing users the body mentions, other than the author, in order of first mention, at
    /// most max of them; null when there are none. At most 2 × max names are looked up (one grain
    /// call each, in parallel): a body full of made-up names costs a bounded amount.
    /// </summary>
    public static async Task<string[]?> ResolveAsync(IGrainFactory grains, string body, string author, int max)
    {
        var candidates = MentionText.Names(body, 2 * max + 1).Where(n => n != author && Limits.CheckUserName(n) is null).Take(2 * max).ToArray();
        if (candidates.Length == 0) return null;
        var exists = await Task.WhenAll(candidates.Select(n => grains.GetGrain<IUserGrain>(n).Exists()));
        var found = candidates.Where((_, i) => exists[i]).Take(max).ToArray();
        return found.Length > 0 ? found : null;
    }
}
