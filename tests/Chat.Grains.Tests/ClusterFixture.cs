using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Chat.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Chat.Grains.Tests;

/// <summary>
/// An in-process Orleans test cluster (two silos) with the chat grains, their comment log under
/// <see cref="ScriptedFaultsCommentLog"/> (tests script storage faults for a thread of their own),
/// and the chat's clock of its own. Where the grains store is the subclass's choice.
/// </summary>
public abstract class ChatClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The comment log the silos write (without the scripted faults): a test may read it, or plant a row.</summary>
    public abstract ICommentLog Log { get; }

    /// <summary>
    /// The silos' meter factories: a <see cref="CounterReading"/> of this cluster only, so that a
    /// cluster of another collection, running at the same time, does not count in.
    /// </summary>
    public IReadOnlyCollection<IMeterFactory> MeterFactories =>
        [.. Cluster.Silos.Select(s => ((InProcessSiloHandle)s).SiloHost.Services.GetRequiredService<IMeterFactory>())];

    /// <summary>A fresh, unique user name: tests share the cluster, never their users.</summary>
    public static string NewUserName() => "u" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A newly registered user.</summary>
    public async Task<(IUserGrain User, string Name)> NewUserAsync()
    {
        var name = NewUserName();
        var user = Grains.GetGrain<IUserGrain>(name);
        Assert.True(await user.Register("hash"));
        return (user, name);
    }

    /// <summary>A new thread by "alice", who is never registered: for tests of the thread grain alone.</summary>
    public async Task<IThreadGrain> NewThreadByAliceAsync()
    {
        var thread = Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
        await thread.Create(new NewThread("Test thread", null, null, "alice"));
        return thread;
    }

    /// <summary>A registered user and a new thread of theirs.</summary>
    public async Task<(IThreadGrain Thread, string Author)> NewThreadByNewUserAsync(string title)
    {
        var author = NewUserName();
        await Grains.GetGrain<IUserGrain>(author).Register("hash");
        var thread = Grains.GetGrain<IThreadGrain>(Limits.NewThreadId());
        await thread.Create(new NewThread(title, null, null, author));
        return (thread, author);
    }

    public async Task InitializeAsync()
    {
        await StartStorageAsync();
        var builder = new TestClusterBuilder(InitialSilos);
        AddSiloConfigurator(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public virtual async Task DisposeAsync()
    {
        var clusterId = Cluster.Options.ClusterId;
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        // The search shards' files of this cluster (its silos' folders are named after it).
        if (Directory.Exists(SearchIndexRoot))
            foreach (var folder in Directory.GetDirectories(SearchIndexRoot).Where(d => d.Contains(clusterId, StringComparison.Ordinal)))
                Directory.Delete(folder, recursive: true);
    }

    protected virtual Task StartStorageAsync() => Task.CompletedTask;

    /// <summary>Silos the cluster starts with.</summary>
    protected virtual short InitialSilos => 2;

    /// <summary>Silo configurators are created by type, so each subclass has its own, which finds its storage and clock through statics.</summary>
    protected abstract void AddSiloConfigurator(TestClusterBuilder builder);

    /// <summary>Where the test clusters' search shards keep their files (a folder per cluster and silo inside).</summary>
    public static readonly string SearchIndexRoot = Path.Combine(Path.GetTempPath(), "chat-search-tests");

    /// <summary>What every silo of every test cluster has: the grains, the chat's clock, the front-page faults.</summary>
    protected static void AddChatGrains(ISiloBuilder silo, string connectionString, AdvancingClock clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Small, so that catch-up from early seqs is served from the log, not memory.
            ["Chat:Threads:HotWindowSize"] = "50",
            // Quick sweeps, so that a lost notification is caught up within a test's patience.
            ["Chat:Search:SweepPeriod"] = "00:00:01",
            ["Chat:Search:CommitPeriod"] = "00:00:01",
            ["Chat:Search:IndexDirectory"] = SearchIndexRoot,
        }).Build();
        silo.AddChatGrains(configuration, connectionString);
        silo.Services.AddKeyedSingleton<TimeProvider>(ThreadGrainOptions.ClockKey, clock);
        silo.AddIncomingGrainCallFilter<FrontPageFaults>();
    }
}

/// <summary>
/// The cluster most grain tests use: grain state in Orleans' memory grain storage and comments in
/// one <see cref="InMemoryCommentLog"/> that both silos share (a thread that moves to the other
/// silo reads what it wrote), so no Azurite runs. The storage is the real contract without a
/// network: the contract tests (<see cref="CommentLogContract"/>) hold the two logs to the same
/// behaviour, and memory grain storage serializes state as table storage does.
/// </summary>
public sealed class ClusterFixture : ChatClusterFixture
{
    private static readonly InMemoryCommentLog SharedLog = new();

    /// <summary>
    /// The chat's clock in this cluster's silos (comment times, edit window, subscription expiry).
    /// Only ever moved forward, and by tests that look at comment times or expiry alone; Orleans
    /// keeps its own clock.
    /// </summary>
    public static readonly AdvancingClock Clock = new();

    public override ICommentLog Log => SharedLog;

    protected override void AddSiloConfigurator(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<SiloConfigurator>();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            // Never contacted: everything AddChatGrains stores is replaced below.
            AddChatGrains(silo, "UseDevelopmentStorage=true", Clock);
            silo.Services.AddSingleton<ICommentLog>(new ScriptedFaultsCommentLog(SharedLog));
            // AddChatGrains put table storage under this name; the name's last registration wins.
            silo.AddMemoryGrainStorage(ChatStorage.GrainStorageName);
            silo.Services.AddKeyedSingleton<IGrainStorage>(ChatStorage.GrainStorageName,
                (sp, name) => new MemoryStorageInPlaceOfTables(MemoryGrainStorageFactory.Create(sp, (string)name!)));
        }
    }

    /// <summary>
    /// Orleans' memory grain storage, in place of the table storage that AddChatGrains registered
    /// under the same name. That registration also made the name's storage a silo lifecycle
    /// participant (a cast of whatever the name resolves to), which memory storage is not: a plain
    /// AddMemoryGrainStorage after it stops the silo with an InvalidCastException. Memory storage
    /// needs no lifecycle, so taking part is a no-op.
    /// </summary>
    internal sealed class MemoryStorageInPlaceOfTables(IGrainStorage memory) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => memory.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => memory.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => memory.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle lifecycle)
        {
        }
    }
}

/// <summary>
/// A cluster on a real Azurite, for the tests about Azure storage itself: what lands in the table,
/// how many table transactions group commit sends, state read back from table storage, and storage
/// that stops answering. The comment log's table client counts the transactions it sends.
/// </summary>
public sealed class AzuriteClusterFixture : ChatClusterFixture
{
    private static string ConnectionString = "";
    private static readonly TransactionCounter Transactions = new();
    private static readonly AdvancingClock Clock = new();

    private AzuriteServer? _azurite;

    public AzuriteServer Azurite => _azurite!;

    public override ICommentLog Log => new TableCommentLog(Azurite.Table(TableCommentLog.DefaultTableName), Microsoft.Extensions.Logging.Abstractions.NullLogger<TableCommentLog>.Instance);

    /// <summary>Table transactions ($batch requests) the silos' comment log has sent for a thread.</summary>
    public int TransactionsOf(string threadId) => Transactions.For(threadId);

    protected override async Task StartStorageAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        ConnectionString = _azurite.ConnectionString;
    }

    protected override void AddSiloConfigurator(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<SiloConfigurator>();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            AddChatGrains(silo, ConnectionString, Clock);
            silo.Services.AddSingleton<ICommentLog>(sp =>
            {
                var options = ChatSiloExtensions.CommentLogClientOptions();
                options.AddPolicy(Transactions, HttpPipelinePosition.PerCall);
                return new ScriptedFaultsCommentLog(new TableCommentLog(new TableClient(ConnectionString, TableCommentLog.DefaultTableName, options), sp.GetRequiredService<ILogger<TableCommentLog>>()));
            });
        }
    }
}

/// <summary>The system clock plus an offset that tests can advance: no waiting for time to pass.</summary>
public sealed class AdvancingClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>Counts table transactions ($batch requests) per thread id named in the request body.</summary>
internal sealed class TransactionCounter : HttpPipelinePolicy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byThread = new();

    public int For(string threadId) => _byThread.TryGetValue(threadId, out var n) ? n : 0;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        if (!message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) || message.Request.Content is null) return;
        using var body = new MemoryStream();
        message.Request.Content.WriteTo(body, CancellationToken.None);
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        // Every operation in a batch names its partition (the thread id); count the batch once.
        var match = System.Text.RegularExpressions.Regex.Match(text, "\"PartitionKey\":\"([a-z0-9]{12})\"");
        if (match.Success) _byThread.AddOrUpdate(match.Groups[1].Value, 1, (_, n) => n + 1);
    }
}

/// <summary>The in-memory cluster (<see cref="ClusterFixture"/>): lane "cluster".</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>The cluster on Azurite (<see cref="AzuriteClusterFixture"/>): lane "storage".</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteClusterCollection : ICollectionFixture<AzuriteClusterFixture>
{
    public const string Name = "azurite cluster";
}
