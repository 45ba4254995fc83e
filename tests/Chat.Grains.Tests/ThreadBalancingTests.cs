using Chat.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Chat.Grains.Tests;

/// <summary>
/// Chat:Threads:Balancing: a silo added to a cluster whose threads are all on one silo gets half
/// of them, each moved with its memory, and every thread numbers on after the move.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
public sealed class ThreadBalancingTests(ThreadBalancingTests.OneSiloFixture fixture) : IClassFixture<ThreadBalancingTests.OneSiloFixture>
{
    private const int Threads = 20;

    [Fact]
    public async Task A_silo_added_to_a_cluster_gets_half_the_threads_and_they_number_on()
    {
        var threads = new List<IThreadGrain>();
        for (var i = 0; i < Threads; i++)
        {
            var thread = await fixture.NewThreadByAliceAsync();
            Assert.Equal(1, await thread.Post(new NewComment(0, "alice", "before the new silo", $"b{i}")));
            threads.Add(thread);
        }

        await fixture.Cluster.StartAdditionalSiloAsync();

        Dictionary<string, int> bySilo = [];
        await Eventually.True(async () =>
        {
            bySilo = await ThreadsBySiloAsync();
            return bySilo.Count == 2 && bySilo.Values.All(n => n == Threads / 2);
        }, TimeSpan.FromSeconds(60), "each of the two silos holds half the threads");

        // Every thread answers on its new silo and numbers on from what it had.
        foreach (var (thread, i) in threads.Select((t, i) => (t, i)))
            Assert.Equal(2, await thread.Post(new NewComment(0, "alice", "after the new silo", $"a{i}")));
        Assert.Equal(Threads, (await ThreadsBySiloAsync()).Values.Sum());
    }

    private async Task<Dictionary<string, int>> ThreadsBySiloAsync()
    {
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        var threadType = fixture.Grains.GetGrain<IThreadGrain>("-").GetGrainId().Type;
        var silos = await management.GetHosts(onlyActive: true);
        var activations = await management.GetDetailedGrainStatistics(null, [.. silos.Keys]);
        return silos.Keys.ToDictionary(s => s.ToString(), s => activations.Count(a => a.SiloAddress.Equals(s) && a.GrainId.Type.Equals(threadType)));
    }

    /// <summary>One silo to start with, balancing every second, storage in memory (shared by the silos).</summary>
    public sealed class OneSiloFixture : ChatClusterFixture
    {
        private static readonly InMemoryCommentLog SharedLog = new();
        private static readonly AdvancingClock Clock = new();

        public override ICommentLog Log => SharedLog;

        protected override short InitialSilos => 1;

        protected override void AddSiloConfigurator(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<SiloConfigurator>();

        private sealed class SiloConfigurator : ISiloConfigurator
        {
            public void Configure(ISiloBuilder silo)
            {
                AddChatGrains(silo, "UseDevelopmentStorage=true", Clock);
                silo.Services.AddSingleton<ICommentLog>(SharedLog);
                silo.AddMemoryGrainStorage(ChatStorage.GrainStorageName);
                silo.Services.AddKeyedSingleton<IGrainStorage>(ChatStorage.GrainStorageName,
                    (sp, name) => new ClusterFixture.MemoryStorageInPlaceOfTables(MemoryGrainStorageFactory.Create(sp, (string)name!)));
                silo.Services.Configure<ThreadGrainOptions>(o => (o.Balancing, o.BalancePeriod) = (true, TimeSpan.FromSeconds(1)));
            }
        }
    }
}
