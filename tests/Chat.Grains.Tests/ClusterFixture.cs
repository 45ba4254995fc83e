using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Chat.Grains.Storage;
using Chat.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace Chat.Grains.Tests;

/// <summary>
/// An in-process Orleans test cluster (two silos) whose grains store into a real Azurite. The
/// comment log's table client counts the transactions it sends, so tests can see group commit, and
/// tests can script storage faults for a thread of their own (<see cref="ScriptedFaultsCommentLog"/>).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    // Silo configurators are created by type, so they find the fixture's Azurite through statics.
    internal static string ConnectionString = "";
    internal static readonly TransactionCounter Transactions = new();

    /// <summary>
    /// The chat's clock in every silo (comment times, edit window, subscription expiry). Only ever
    /// moved forward, and by tests that look at comment times or expiry alone; Orleans keeps its own
    /// clock.
    /// </summary>
    public static readonly AdvancingClock Clock = new();

    private AzuriteServer? _azurite;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public AzuriteServer Azurite => _azurite!;

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
        _azurite = await AzuriteServer.StartAsync();
        ConnectionString = _azurite.ConnectionString;
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                // Small, so that catch-up from early seqs is served from the log, not memory.
                ["Chat:Threads:HotWindowSize"] = "50",
            }).Build();
            silo.AddChatGrains(configuration, ConnectionString);
            silo.Services.AddKeyedSingleton<TimeProvider>(ThreadGrainOptions.ClockKey, Clock);
            silo.AddIncomingGrainCallFilter<FrontPageFaults>();
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

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
