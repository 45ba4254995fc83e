using Microsoft.AspNetCore.Identity;

namespace Chat.Web.Auth;

/// <summary>
/// Registration and sign-in against UserGrain. Hashing happens here, in the web tier, with ASP.NET
/// Core's PasswordHasher (PBKDF2), so that no password ever travels to a silo.
/// </summary>
public sealed class PasswordService(IGrainFactory grains)
{
    private readonly PasswordHasher<string> _hasher = new();

    /// <summary>A hash to compare against when the user does not exist, so both paths take as long.</summary>
    private readonly string _dummyHash = new PasswordHasher<string>().HashPassword("", Guid.NewGuid().ToString());

    public async Task<bool> RegisterAsync(string userName, string password) =>
        await grains.GetGrain<IUserGrain>(userName).Register(_hasher.HashPassword(userName, password));

    /// <summary>
    /// True if the password is right. Throws RateLimited while the name is locked out after too many
    /// failures (counted cluster-wide in the user's grain, also for names that do not exist).
    /// </summary>
    public async Task<bool> VerifyAsync(string userName, string password)
    {
        var user = grains.GetGrain<IUserGrain>(userName);
        var lockedFor = await user.LoginLockedForSeconds();
        if (lockedFor > 0) throw ChatException.RateLimited("failed sign-ins for this user name", TimeSpan.FromSeconds(lockedFor));
        var hash = await user.GetPasswordHash();
        var result = _hasher.VerifyHashedPassword(userName, hash ?? _dummyHash, password);
        var ok = hash is not null && result != PasswordVerificationResult.Failed;
        await user.RecordLoginResult(ok);
        if (ok && result == PasswordVerificationResult.SuccessRehashNeeded) await user.UpdatePasswordHash(_hasher.HashPassword(userName, password));
        return ok;
    }
}
