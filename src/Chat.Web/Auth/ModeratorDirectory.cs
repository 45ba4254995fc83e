namespace Chat.Web.Auth;

/// <summary>
/// Who moderates: the names in "Chat:Moderators" (a list), and the first account ever registered.
/// Decided at sign-in and carried as a role claim in the cookie or token.
/// </summary>
public sealed class ModeratorDirectory(IGrainFactory grains, Microsoft.Extensions.Options.IOptions<Chat.Web.Hosting.ChatWebOptions> options)
{
    public const string ConfigurationKey = Chat.Web.Hosting.ChatWebOptions.Section + ":" + nameof(Chat.Web.Hosting.ChatWebOptions.Moderators);

    private readonly HashSet<string> _configured = new(
        options.Value.Moderators.Select(Limits.NormalizeUserName),
        StringComparer.Ordinal);

    public async Task<bool> IsModeratorAsync(string userName) =>
        _configured.Contains(userName) || await grains.GetGrain<IRolesGrain>(0).IsFirstUser(userName);

    public Task AccountRegisteredAsync(string userName) => grains.GetGrain<IRolesGrain>(0).AccountRegistered(userName);
}
