namespace Chat.Grains.Users;

/// <summary>
/// A user's account in their state: whether it exists, when it joined, and the password hash (the
/// web node hashes and checks passwords; the grain only keeps the hash). Registering is written at
/// once, unlike the rest of the user's state: a sign-up that was answered "yes" must survive a crash.
/// </summary>
internal sealed class Account(IPersistentState<UserState> state, LazyGrainState<UserState> saved, TimeProvider time)
{
    public bool Exists => state.State.Exists;

    /// <summary>Everything but registering and reading needs an account: "not found" otherwise.</summary>
    public void EnsureExists(string userName)
    {
        if (!state.State.Exists) throw ChatException.NotFound($"There is no user {userName}.");
    }

    public string? PasswordHash => state.State.Exists ? state.State.PasswordHash : null;

    /// <summary>False if the name is taken (or a registration of it is being written).</summary>
    public async Task<bool> RegisterAsync(string passwordHash)
    {
        if (state.State.Exists || saved.WriteInFlight) return false;
        state.State.Exists = true;
        state.State.PasswordHash = passwordHash;
        state.State.JoinedAt = time.GetUtcNow();
        try
        {
            await saved.WriteAsync();
        }
        catch
        {
            state.State.Exists = false;
            throw;
        }
        return true;
    }

    public async Task UpdatePasswordHashAsync(string passwordHash)
    {
        state.State.PasswordHash = passwordHash;
        saved.MarkDirty();
        await saved.SaveIfDirtyAsync();
    }
}
