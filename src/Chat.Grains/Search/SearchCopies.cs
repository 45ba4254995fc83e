using Azure.Storage.Blobs;

namespace Chat.Grains.Search;

/// <summary>
/// Where search shards copy their commits: a container in the storage account's Blob service, when
/// the storage connection string reaches one (a BlobEndpoint, or an account whose endpoints are
/// derived from its name). A connection string naming only a TableEndpoint has none: then shards
/// keep only their local files and refill from the comment log when they move.
/// </summary>
public sealed class SearchCopies(BlobContainerClient? container)
{
    public const string ContainerName = "search-index";

    public BlobContainerClient? Container { get; } = container;

    public static SearchCopies For(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var reachesBlobs = parts.ContainsKey("BlobEndpoint")
            || (parts.ContainsKey("AccountName") && !parts.ContainsKey("TableEndpoint") && !parts.ContainsKey("UseDevelopmentStorage"));
        if (!reachesBlobs) return new SearchCopies(null);
        var options = new BlobClientOptions();
        // Copies are off the posting path, but a hung upload holds its shard: bound it.
        options.Retry.MaxRetries = 2;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return new SearchCopies(new BlobServiceClient(connectionString, options).GetBlobContainerClient(ContainerName));
    }
}
