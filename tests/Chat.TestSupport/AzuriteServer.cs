using Azure.Data.Tables;
using Chat.Processes;

namespace Chat.TestSupport;

/// <summary>
/// A real Azurite table service on a free loopback port, started from the repo's node_modules, and
/// Azurite's blob service beside it (the search shards copy their index there).
/// In memory by default; on disk when given a folder (to test restarts). Stopped with SIGINT, which
/// is what makes azurite-table flush its last writes.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private ChildProcess? _process;
    private ChildProcess? _blob;

    private AzuriteServer(int port, string? location)
    {
        Port = port;
        Location = location;
    }

    public int Port { get; }
    public int BlobPort { get; } = FreePort.Next();
    public string? Location { get; }

    public string ConnectionString => Azurite.ConnectionString(Port, blobPort: BlobPort);

    public static async Task<AzuriteServer> StartAsync(string? location = null, int? port = null)
    {
        var server = new AzuriteServer(port ?? FreePort.Next(), location);
        try
        {
            await server.StartProcessAsync();
            server._blob = await ChildProcess.StartAsync(Azurite.BlobLaunch(RepoPaths.Root, server.BlobPort, location: location is null ? null : Path.Combine(location, "blob")),
                ChildProcess.Listening(server.BlobPort), TimeSpan.FromSeconds(90), $"Azurite blob listening on {server.BlobPort}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public TableClient Table(string name) => new(ConnectionString, name);

    /// <summary>Stops Azurite's table service cleanly (SIGINT, up to 15 s, then killed); with a location, its data stays for the next start. The blob service runs on until dispose.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>SIGSTOP: the process stays, its port accepts connections, nothing answers.</summary>
    public void Freeze() => _process!.Signal(Signal.Stop);

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => _process!.Signal(Signal.Cont);

    /// <summary>Starts again on the same port and folder.</summary>
    public Task RestartAsync() => StopAsync().ContinueWith(_ => StartProcessAsync()).Unwrap();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_blob is not null) await _blob.DisposeAsync();
        _blob = null;
    }

    // A half-started Azurite is stopped before the start throws.
    private async Task StartProcessAsync() =>
        _process = await ChildProcess.StartAsync(Azurite.Launch(RepoPaths.Root, Port, location: Location),
            ChildProcess.Listening(Port), TimeSpan.FromSeconds(90), $"Azurite listening on {Port}");
}
