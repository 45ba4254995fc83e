using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Chat.Grains.Tests;

/// <summary>
/// Grain state as the silos' grain storage serializer writes it (table storage and memory storage
/// alike): it names the CLR type of each object, so rows written today must find their types under
/// the same names tomorrow. A state type moved to another namespace would leave every stored row of
/// it unreadable; this pins the names.
/// </summary>
[Trait(Lanes.Trait, Lanes.Cluster)]
[Collection(ClusterCollection.Name)]
public sealed class StoredStateTests(ClusterFixture fixture)
{
    [Fact]
    public void Stored_state_names_its_types_in_namespace_Chat_Grains()
    {
        var serializer = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services.GetRequiredService<IGrainStorageSerializer>();
        var user = new UserState { ReadMarks = { ["t"] = new ThreadReadMark(1, DateTimeOffset.UnixEpoch) } };

        var text = serializer.Serialize(user).ToString();

        Assert.Contains("Chat.Grains.UserState, Chat.Grains", text);
        Assert.Contains("Chat.Grains.ThreadReadMark, Chat.Grains", text);
        foreach (var state in (object[])[new ThreadState(), new FrontPageState(), new FlagQueueState(), new RolesState(), new SubscribedNodesState()])
            Assert.Contains($"{state.GetType().FullName}, Chat.Grains", serializer.Serialize(state).ToString());
        Assert.All([typeof(UserState), typeof(ThreadReadMark), typeof(ThreadState), typeof(FrontPageState), typeof(FlagQueueState), typeof(RolesState), typeof(SubscribedNodesState)],
            t => Assert.Equal("Chat.Grains", t.Namespace));
    }
}
