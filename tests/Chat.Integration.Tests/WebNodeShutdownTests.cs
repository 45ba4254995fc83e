using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Chat.Integration.Tests;

/// <summary>
/// A web node that is stopping (SIGTERM) takes no new hub connections: a page told to reconnect may
/// come straight back to it (a Service whose endpoints have not caught up, or the same address in a
/// test), and a connection opened while the node drains would hold it up for the whole drain, then
/// be cut off; one opened after SignalR closed the others, for the whole shutdown timeout. Here a
/// reader that ignores the Reconnect holds the drain up for its timeout; the new connections add nothing.
/// </summary>
[Trait("Lane", Lanes.Processes)]
public sealed class WebNodeShutdownTests(AzuriteFixture fixture, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_web_node_that_clients_keep_connecting_to_while_it_stops_exits_within_seconds()
    {
        var drainTimeout = TimeSpan.FromSeconds(3);
        await using var cluster = await ClusterProcesses.StartAsync(fixture.Azurite, silos: 1, webs: 1,
            new Dictionary<string, string> { ["Chat__Web__DrainTimeout"] = drainTimeout.ToString() });
        var web = cluster.Webs[0];
        using var author = await ChatApiClient.SignedUpAsync(web.BaseAddress);
        var threadId = await author.CreateThreadAsync("Stopping node");
        await using var reader = await ThreadReader.ConnectAsync(web.BaseAddress, threadId);

        using var stopConnecting = new CancellationTokenSource();
        var connecting = KeepConnectingAsync(web.BaseAddress, threadId, stopConnecting.Token);
        var clock = Stopwatch.StartNew();
        var exitCode = await web.StopGracefullyAsync();
        var took = clock.Elapsed;
        await stopConnecting.CancelAsync();
        var accepted = await connecting;
        output.WriteLine($"exited with {exitCode} {took.TotalSeconds:0.0} s after SIGTERM; {accepted} connections joined the thread meanwhile");

        Assert.Equal(0, exitCode);
        Assert.True(took < drainTimeout + TimeSpan.FromSeconds(7), $"the web node took {took.TotalSeconds:0.0} s to stop (drain timeout {drainTimeout.TotalSeconds} s)");
    }

    /// <summary>New connections joining the thread, one after another, as pages told to reconnect would.</summary>
    private static async Task<int> KeepConnectingAsync(Uri node, string threadId, CancellationToken stop)
    {
        var joined = 0;
        var connections = new List<HubConnection>();
        while (!stop.IsCancellationRequested)
        {
            var connection = new HubConnectionBuilder().WithUrl(new Uri(node, "/hubs/discussion")).Build();
            connections.Add(connection);
            try
            {
                await connection.StartAsync(stop);
                await connection.InvokeAsync<object>("JoinThread", threadId, 0L, stop);
                joined++;
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(10, CancellationToken.None); // refused or cut off: the next attempt
            }
            catch (Exception)
            {
                // the test stopped connecting
            }
        }
        foreach (var connection in connections) await connection.DisposeAsync();
        return joined;
    }
}
