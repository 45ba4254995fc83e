namespace Chat.TestSupport;

/// <summary>
/// A whole site for one test class: its own Azurite and web host (co-hosting a silo), for tests
/// that need settings of their own or a fresh, empty site.
/// </summary>
public sealed class OwnSite : IAsyncDisposable
{
    private OwnSite(AzuriteServer azurite, InProcessWebHost host)
    {
        Azurite = azurite;
        Host = host;
    }

    public AzuriteServer Azurite { get; }
    public InProcessWebHost Host { get; }
    public Uri BaseAddress => Host.BaseAddress;

    public static async Task<OwnSite> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var azurite = await AzuriteServer.StartAsync();
        try
        {
            return new OwnSite(azurite, await InProcessWebHost.StartAsync(azurite.ConnectionString, settings));
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
