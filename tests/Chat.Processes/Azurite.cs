namespace Chat.Processes;

/// <summary>
/// Azurite's table service from the repository's node_modules, as the tests and the load tool run
/// it: in memory unless given a folder; stopped with SIGINT, which is what makes azurite-table
/// flush its last writes to that folder.
/// </summary>
public static class Azurite
{
    /// <summary>The well-known development account every Azurite serves; with a blob port, its Blob service too (search copies its index there).</summary>
    public static string ConnectionString(int port, string host = "127.0.0.1", int? blobPort = null) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"TableEndpoint=http://{host}:{port}/devstoreaccount1;" +
        (blobPort is { } b ? $"BlobEndpoint=http://{host}:{b}/devstoreaccount1;" : "");

    /// <summary>node_modules/.bin/azurite-table under the repository root; throws saying how to get it.</summary>
    public static string Bin(string repoRoot)
    {
        var bin = Path.Combine(repoRoot, "node_modules", ".bin", "azurite-table");
        return File.Exists(bin) ? bin : throw new InvalidOperationException($"{bin} is missing: run `npm ci` in the repository root (./test.sh does).");
    }

    /// <param name="location">A folder to keep the tables in (to test restarts); in memory when null: nothing to clean up, and it starts empty.</param>
    public static IReadOnlyList<string> Arguments(string host, int port, string? location = null) =>
    [
        "--tableHost", host, "--tablePort", $"{port}", "--disableTelemetry", "--silent", "--skipApiVersionCheck",
        .. location is null ? ["--inMemoryPersistence"] : new[] { "--location", location },
    ];

    /// <summary>Azurite's Blob service (node_modules/.bin/azurite-blob) on the port: beside the table service, for the search shards' copies.</summary>
    public static ProcessLaunch BlobLaunch(string repoRoot, int port, string host = "127.0.0.1", string? location = null)
    {
        var bin = Path.Combine(repoRoot, "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(bin)) throw new InvalidOperationException($"{bin} is missing: run `npm ci` in the repository root (./test.sh does).");
        return new("azurite-blob", bin,
        [
            "--blobHost", host, "--blobPort", $"{port}", "--disableTelemetry", "--silent", "--skipApiVersionCheck",
            .. location is null ? ["--inMemoryPersistence"] : new[] { "--location", location },
        ])
        {
            StopSignal = Signal.Int,
            StopGrace = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>Azurite on the port, stopped on dispose with SIGINT (15 s to flush and exit, then killed).</summary>
    public static ProcessLaunch Launch(string repoRoot, int port, string host = "127.0.0.1", string? location = null) =>
        new("azurite", Bin(repoRoot), Arguments(host, port, location))
        {
            StopSignal = Signal.Int,
            StopGrace = TimeSpan.FromSeconds(15),
        };
}
