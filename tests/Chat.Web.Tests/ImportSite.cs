namespace Chat.Web.Tests;

/// <summary>A site of its own for the import tests, with a configured moderator signed in.</summary>
public sealed class ImportSite : IAsyncLifetime
{
    public const string ModeratorName = "importer";
    public const string CommandModeratorName = "importcli";

    public OwnSite Site { get; private set; } = null!;
    public ChatApiClient Moderator { get; private set; } = null!;
    public Uri BaseAddress => Site.BaseAddress;

    public async Task InitializeAsync()
    {
        Site = await OwnSite.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Moderators:0"] = ModeratorName,
            ["Chat:Moderators:1"] = CommandModeratorName,
        });
        Moderator = await ChatApiClient.SignedUpAsync(Site.BaseAddress, ModeratorName);
    }

    public async Task DisposeAsync()
    {
        Moderator.Dispose();
        await Site.DisposeAsync();
    }
}
