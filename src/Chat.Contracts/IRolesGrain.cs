namespace Chat.Contracts;

/// <summary>
/// Site-wide roles (a single activation, key 0). The first account ever registered becomes a
/// moderator, so a fresh install has someone who can moderate; more come from configuration
/// ("Chat:Moderators").
/// </summary>
[Alias("Chat.IRolesGrain")]
// Raised by a release that adds methods; unchanged since 0.1.0 (docs/operations.md, "Upgrades").
[Orleans.CodeGeneration.Version(0)]
public interface IRolesGrain : IGrainWithIntegerKey
{
    /// <summary>Called once per new account; the first caller becomes the first user.</summary>
    [Alias("AccountRegistered")]
    Task AccountRegistered(string userName);

    [Alias("IsFirstUser")]
    Task<bool> IsFirstUser(string userName);
}
