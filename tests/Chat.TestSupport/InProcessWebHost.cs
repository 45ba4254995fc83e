using Chat.Processes;
using Chat.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Chat.TestSupport;

/// <summary>
/// The real web app (Chat.Web co-hosting a silo) on real Kestrel at 127.0.0.1:0, against Azurite,
/// with a fresh ClusterId so that no test sees another's cluster.
/// </summary>
public sealed class InProcessWebHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessWebHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;

    /// <param name="configure">Runs after the test settings are in: a test's own services (e.g. a grain call filter that holds one call).</param>
    public static async Task<InProcessWebHost> StartAsync(string storageConnectionString, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        // The silo's ports are picked free just before the silo binds them; in between, the OS may
        // hand one to another process's outgoing connection (the ports come from the same range).
        // Then start again on new ports: a race of the test set-up, not something under test.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(storageConnectionString, settings, configure);
            }
            catch (Exception ex) when (attempt < 3 && IsAddressInUse(ex) && settings?.ContainsKey("Chat:Silo:SiloPort") != true)
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception ex) =>
        ex is Microsoft.AspNetCore.Connections.AddressInUseException || ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse };

    private static async Task<InProcessWebHost> TryStartAsync(string storageConnectionString, IDictionary<string, string?>? settings, Action<WebApplicationBuilder>? configure)
    {
        var config = new Dictionary<string, string?>
        {
            ["Chat:Storage:ConnectionString"] = storageConnectionString,
            ["Chat:Cluster:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..12],
            ["Chat:Silo:SiloPort"] = FreePort.Next().ToString(),
            ["Chat:Silo:GatewayPort"] = FreePort.Next().ToString(),
        };
        foreach (var (key, value) in TestSettings.Defaults) config[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) config[key] = value;

        var app = ChatWebApp.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // Setting the paths alone does not move the file providers, which were made for the
            // test's bin folder when the builder was created: without these the UI's static files
            // (pages, JS, CSS) all answer 404.
            var contentRoot = Path.Combine(RepoPaths.Root, "src", "Chat.Web");
            var webRoot = Path.Combine(contentRoot, "wwwroot");
            builder.Environment.ContentRootPath = contentRoot;
            builder.Environment.ContentRootFileProvider = new PhysicalFileProvider(contentRoot);
            builder.Environment.WebRootPath = webRoot;
            builder.Environment.WebRootFileProvider = new PhysicalFileProvider(webRoot);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
                try { await app.StopAsync(cts.Token); } catch (Exception) { /* what started is stopped as far as it goes */ }
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessWebHost(app, new Uri(address));
    }

    public T GetRequiredService<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await _app.StopAsync(cts.Token); }
        finally { await _app.DisposeAsync(); }
    }
}
