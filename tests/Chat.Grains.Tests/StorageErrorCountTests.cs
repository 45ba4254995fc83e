using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Data.Tables;
using Chat.Grains.Storage;
using Chat.Processes;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Grains.Tests;

/// <summary>
/// chat_storage_errors_total{store}: every storage request that gets no answer (or a 5xx/408/429) is
/// counted for its store; the "not found" and "conflict" answers the code relies on are not.
/// </summary>
[Trait(Lanes.Trait, Lanes.Storage)]
public sealed class StorageErrorCountTests : IAsyncLifetime
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task A_request_storage_does_not_answer_counts_for_its_store_and_a_missing_row_does_not()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var metrics = new ChatMetrics(factory);
        Assert.Equal((0, 0), Read(factory)); // there from the start, at 0

        var table = Client(_azurite.ConnectionString, metrics);
        await table.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync(); // 409 inside: how create-if-missing works, not an error
        var missing = await table.GetEntityIfExistsAsync<TableEntity>("thread", "1"); // 404
        Assert.False(missing.HasValue);
        Assert.Equal((0, 0), Read(factory));

        var nobodyListens = _azurite.ConnectionString.Replace($":{_azurite.Port}/", $":{FreePort.Next()}/");
        await Assert.ThrowsAnyAsync<Exception>(() => Client(nobodyListens, metrics).GetEntityIfExistsAsync<TableEntity>("thread", "1"));
        Assert.Equal((1, 0), Read(factory));
    }

    private static TableClient Client(string connectionString, ChatMetrics metrics)
    {
        var options = ChatSiloExtensions.CommentLogClientOptions(); // no SDK retries: one attempt, one count
        options.AddPolicy(new StorageErrorPolicy(metrics, StorageErrorPolicy.CommentLog), HttpPipelinePosition.PerRetry);
        return new TableClient(connectionString, "counted" + Guid.NewGuid().ToString("N")[..8], options);
    }

    /// <summary>(comment_log, grain_state) as the metrics endpoint would read them now.</summary>
    private static (long CommentLog, long GrainState) Read(IMeterFactory factory)
    {
        var values = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "chat.storage.errors" && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "store") values[(string)tag.Value!] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return (values[StorageErrorPolicy.CommentLog], values[StorageErrorPolicy.GrainState]);
    }
}
