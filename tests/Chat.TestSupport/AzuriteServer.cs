using System.Diagnostics;
using Azure.Data.Tables;

namespace Chat.TestSupport;

/// <summary>
/// A real Azurite table service on a free loopback port, started from the repo's node_modules.
/// In memory by default; on disk when given a folder (to test restarts). Stopped with SIGINT, which
/// is what makes azurite-table flush its last writes.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private Process? _process;

    private AzuriteServer(int port, string? location)
    {
        Port = port;
        Location = location;
    }

    public int Port { get; }
    public string? Location { get; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static async Task<AzuriteServer> StartAsync(string? location = null, int? port = null)
    {
        var server = new AzuriteServer(port ?? FreePort.Next(), location);
        try
        {
            await server.StartProcessAsync();
        }
        catch
        {
            await server.StopAsync(); // do not leave a half-started Azurite behind
            throw;
        }
        return server;
    }

    public TableClient Table(string name) => new(ConnectionString, name);

    /// <summary>Stops Azurite cleanly (SIGINT); with a location, its data stays for the next start.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            ProcessSignals.Interrupt(_process);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGSTOP: the process stays, its port accepts connections, nothing answers.</summary>
    public void Freeze() => ProcessSignals.Stop(_process!);

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw() => ProcessSignals.Continue(_process!);

    /// <summary>Starts again on the same port and folder.</summary>
    public Task RestartAsync() => StopAsync().ContinueWith(_ => StartProcessAsync()).Unwrap();

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartProcessAsync()
    {
        var bin = Path.Combine(RepoPaths.Root, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(bin)) throw new InvalidOperationException($"{bin} is missing: run 'npm ci' in the repository root (./test.sh does).");
        var args = $"--tableHost 127.0.0.1 --tablePort {Port} --disableTelemetry --silent --skipApiVersionCheck " +
                   (Location is null ? "--inMemoryPersistence" : $"--location \"{Location}\"");
        _process = Process.Start(new ProcessStartInfo(bin, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var process = _process;
        await Eventually.True(async () => process.HasExited
            ? throw new InvalidOperationException($"Azurite exited with code {process.ExitCode}")
            : await FreePort.IsListeningAsync(Port), TimeSpan.FromSeconds(90), $"Azurite listening on {Port}");
    }
}
