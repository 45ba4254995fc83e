namespace Chat.Web.Tests;

/// <summary>Azurite and one web host (co-hosting a silo) shared by the tests of this assembly; each test makes its own users and threads.</summary>
public sealed class WebFixture : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = null!;
    public InProcessWebHost Host { get; private set; } = null!;
    public Uri BaseAddress => Host.BaseAddress;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        Host = await InProcessWebHost.StartAsync(Azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
