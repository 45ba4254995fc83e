using Azure.Storage.Blobs;
using Chat.Contracts.Search;
using Chat.Grains.Search;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Chat.Grains.Tests;

/// <summary>
/// Search shards on real storage: a shard copies its commits to Blob storage, and a shard that
/// comes back on a silo without its files restores the copy (its watermarks too) instead of
/// starting empty.
/// </summary>
[Trait(Lanes.Trait, Lanes.Storage)]
[Collection(AzuriteClusterCollection.Name)]
public sealed class SearchCopyTests(AzuriteClusterFixture fixture)
{
    [Fact]
    public async Task A_shard_without_its_local_files_restores_its_copy_from_blob_storage()
    {
        var word = "zq" + Guid.NewGuid().ToString("N")[..12];
        var (thread, author) = await fixture.NewThreadByNewUserAsync("Copied");
        var id = thread.GetPrimaryKeyString();
        for (var i = 0; i < 3; i++) await thread.Post(new NewComment(0, author, $"{word} {i}", "c" + i));
        var search = fixture.Grains.GetGrain<ISearchGrain>(0);
        var request = new SearchRequest(SearchQuery.Parse(word), SearchSort.New, 20, null);
        await Eventually.True(async () => (await search.Search(request)).Hits.Length == 3, TimeSpan.FromSeconds(20), "three hits");
        var shard = fixture.Grains.GetGrain<ISearchShardGrain>(SearchShards.Of(id, new SearchOptions().Shards));
        Assert.Equal(3, await shard.GetWatermark(id));

        // Deactivation commits and copies; then every silo's local files of this cluster go.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var container = new BlobServiceClient(fixture.Azurite.ConnectionString).GetBlobContainerClient(SearchCopies.ContainerName);
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync()) blobs.Add(blob.Name);
        Assert.Contains(blobs, b => b.EndsWith("/manifest.json", StringComparison.Ordinal));
        var clusterId = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ClusterId;
        var folders = Directory.GetDirectories(ClusterFixture.SearchIndexRoot).Where(d => d.Contains(clusterId, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(folders);
        foreach (var folder in folders) Directory.Delete(folder, recursive: true);

        // The first call activates the shard: its watermark is back before any sweep could run.
        Assert.Equal(3, await shard.GetWatermark(id));
        Assert.Equal(3, (await search.Search(request)).Hits.Length);
    }
}
