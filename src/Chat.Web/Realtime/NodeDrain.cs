using System.Diagnostics;
using Chat.Web.Hosting;
using Chat.Web.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>
/// How a stopping web node (SIGTERM: a scale-in, a rolling update, <c>docker stop</c>) lets its hub
/// clients go without cutting a call in flight. When shutdown begins, in this order: /health/ready
/// is already false and new hub connections are refused (<see cref="RealtimeExtensions.MapChatRealtime"/>);
/// every client is told <c>Reconnect</c>; the node waits until they have left (a client waits for
/// the answers to its calls in flight, then stops and connects to another node); then until the hub
/// calls still running here are answered; all within <see cref="WebNodeOptions.DrainTimeout"/>.
/// Only then does SignalR close whatever connections remain, and the rest of the shutdown go on.
/// Calls on existing connections are never refused meanwhile: a post racing the Reconnect is answered.
/// </summary>
/// <remarks>
/// SignalR's connection manager closes every connection, answered or not, in its own
/// ApplicationStopping callback, registered when MapHub built it, before the host started. A
/// CancellationToken runs its callbacks last-registered first, so this one, registered once the
/// host has started, runs before it, and holds it (and the shutdown) back by blocking until drained.
/// </remarks>
public sealed class NodeDrain(IHostApplicationLifetime lifetime, IHubContext<DiscussionHub, IDiscussionClient> hub, IOptions<WebNodeOptions> options, ILogger<NodeDrain> logger)
    : IHostedService, IHubFilter
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private int _connections;
    private int _invocations;

    /// <summary>Hub connections open on this node now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Hub calls being answered on this node now.</summary>
    public int Invocations => Volatile.Read(ref _invocations);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => lifetime.ApplicationStopping.Register(Drain));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Blocks the thread that stops the application: nothing registered before this runs until it returns.</summary>
    private void Drain()
    {
        try
        {
            DrainAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Draining the hub connections failed; SignalR closes them now");
        }
    }

    private async Task DrainAsync()
    {
        var timeout = options.Value.DrainTimeout;
        var clock = Stopwatch.StartNew();
        var connections = Connections;
        logger.LogInformation("Stopping: telling {Connections} hub connections to reconnect elsewhere, waiting up to {DrainTimeout} for them to leave", connections, timeout);
        // Connect again at once, through the load balancer, to another node, and rejoin with the
        // last seq, instead of finding the socket closed.
        var told = hub.Clients.All.Reconnect();
        if (timeout == TimeSpan.Zero) return;
        try { await told.WaitAsync(timeout); }
        catch (Exception ex) { logger.LogWarning(ex, "Telling the clients to reconnect did not finish"); }
        await WaitUntilAsync(() => Connections == 0, clock, timeout);
        var left = Connections;
        await WaitUntilAsync(() => Invocations == 0, clock, timeout);
        logger.LogInformation(
            "Drained in {Seconds:0.00} s: {Left} of {Connections} hub connections still open (SignalR closes them now), {Invocations} hub calls unanswered",
            clock.Elapsed.TotalSeconds, left, connections, Invocations);
    }

    private static async Task WaitUntilAsync(Func<bool> done, Stopwatch clock, TimeSpan timeout)
    {
        while (!done() && clock.Elapsed < timeout) await Task.Delay(Poll);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        Interlocked.Increment(ref _invocations);
        try
        {
            return await next(invocationContext);
        }
        finally
        {
            Interlocked.Decrement(ref _invocations);
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        // Counted once connected: SignalR calls OnDisconnectedAsync only for a connection whose OnConnectedAsync succeeded.
        await next(context);
        Interlocked.Increment(ref _connections);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        Interlocked.Decrement(ref _connections);
        return next(context, exception);
    }
}
