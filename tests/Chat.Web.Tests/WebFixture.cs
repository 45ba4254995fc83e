using Microsoft.AspNetCore.SignalR.Client;

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

    /// <summary>A started connection to the discussion hub, signed in when given a token; for tests that call the hub themselves.</summary>
    public Task<HubConnection> ConnectToHubAsync(string? token) => ConnectToHubAsync(BaseAddress, token);

    /// <summary>The same, to a web node of the test's own.</summary>
    public static async Task<HubConnection> ConnectToHubAsync(Uri node, string? token)
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(node, "/hubs/discussion"), o =>
        {
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        }).Build();
        await connection.StartAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
