using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;

namespace Chat.Grains.Search;

/// <summary>
/// A shard's index files copied to Blob storage after each commit, so that the shard, reactivated
/// on a silo without its files, restores the last copy and replays the log only past its
/// watermarks. Lucene never changes a file once written (a commit adds segment files and a new
/// segments_N), so each commit uploads only the files not uploaded yet, then the manifest naming
/// the commit's files; files no commit names any more are deleted after.
/// </summary>
internal sealed class BlobShardCopy(BlobContainerClient container, string prefix)
{
    private const string ManifestName = "manifest.json";
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private bool _containerChecked;

    /// <summary>What the last copy holds: its epoch (the activation that committed it) and its files.</summary>
    public sealed record Manifest(long Epoch, string[] Files);

    public async Task<Manifest?> ReadManifestAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await container.GetBlobClient(prefix + ManifestName).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<Manifest>(JsonSerializerOptions.Web);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Downloads the copy's files into folder (which must hold no index).</summary>
    public async Task RestoreAsync(Manifest manifest, string folder, CancellationToken cancellationToken = default)
    {
        foreach (var file in manifest.Files)
        {
            await container.GetBlobClient(prefix + file).DownloadToAsync(Path.Combine(folder, file), cancellationToken);
            _uploaded.Add(file);
        }
    }

    /// <summary>Uploads the commit's new files, then its manifest; then deletes files of older commits.</summary>
    public async Task SaveAsync(long epoch, IReadOnlyCollection<string> files, string folder, CancellationToken cancellationToken = default)
    {
        if (!_containerChecked)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _containerChecked = true;
        }
        foreach (var file in files.Where(f => !_uploaded.Contains(f)))
        {
            await container.GetBlobClient(prefix + file).UploadAsync(Path.Combine(folder, file), overwrite: true, cancellationToken);
            _uploaded.Add(file);
        }
        var manifest = new Manifest(epoch, [.. files]);
        await container.GetBlobClient(prefix + ManifestName).UploadAsync(BinaryData.FromObjectAsJson(manifest, JsonSerializerOptions.Web), overwrite: true, cancellationToken);
        foreach (var old in _uploaded.Where(f => !files.Contains(f)).ToList())
        {
            await container.GetBlobClient(prefix + old).DeleteIfExistsAsync(cancellationToken: cancellationToken);
            _uploaded.Remove(old);
        }
    }
}
