using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Realtime;

/// <summary>
/// The SignalR groups a thread's readers on this node are in. One group per thread by default. With
/// <see cref="RelayOptions.SubGroups"/> above 1, each reader is in one of that many sub-groups (by a
/// hash of its connection id), and a new comment goes to the sub-groups in parallel: a group send
/// writes to its connections one after another on one thread, so a thread with thousands of readers
/// on a node is otherwise sent to by one core at a time. Other messages go to the sub-groups in turn.
/// </summary>
public sealed class ThreadGroups(int count)
{
    public int Count { get; } = count;

    /// <summary>The group this connection reads the thread in.</summary>
    public string Of(string threadId, string connectionId) =>
        Count == 1 ? threadId : Name(threadId, (int)((uint)StringComparer.Ordinal.GetHashCode(connectionId) % (uint)Count));

    /// <summary>Every reader of the thread on this node.</summary>
    public IDiscussionClient All(IHubClients<IDiscussionClient> clients, string threadId) =>
        Count == 1 ? clients.Group(threadId) : clients.Groups([.. Enumerable.Range(0, Count).Select(i => Name(threadId, i))]);

    /// <summary>Sends to every reader of the thread, the sub-groups side by side on the thread pool.</summary>
    public Task SendInParallelAsync(IHubClients<IDiscussionClient> clients, string threadId, Func<IDiscussionClient, Task> send) =>
        Count == 1 ? send(clients.Group(threadId))
            : Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(() => send(clients.Group(Name(threadId, i))))));

    private static string Name(string threadId, int subGroup) => $"{threadId}#{subGroup}";
}
