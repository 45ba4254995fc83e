using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Chat.LoadTests;

/// <summary>
/// What the lean readers of one run share: WebSocket connects spread over several loopback source
/// addresses (each has its own ~28,000 ephemeral ports, so 100,000 connections to one port fit),
/// each a <see cref="LeanSocket"/>; one HTTP client per node for gap fills, and one keep-alive loop for all of them instead of a
/// timer per connection.
/// </summary>
public sealed class LeanTransport : IAsyncDisposable
{
    /// <summary>Connections per loopback source address: below the ~28,000 ephemeral ports Linux gives each.</summary>
    public const int ConnectionsPerSourceAddress = 20_000;

    private readonly IPAddress[] _sources;
    private readonly ConcurrentDictionary<Uri, HttpClient> _http = new();
    private readonly ConcurrentDictionary<LeanReader, byte> _readers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _keepAlive;
    private int _next;

    [ThreadStatic] private static List<(long Seq, long Sent)>? t_scratch;

    /// <summary>A per-thread list for parsing one record (records are parsed synchronously).</summary>
    internal static List<(long Seq, long Sent)> Scratch => t_scratch ??= new(128);

    /// <param name="connections">How many readers the run will hold: decides how many source addresses.</param>
    /// <param name="loopback">Whether the target is on this machine (127.0.0.0/8): only then are several source addresses used.</param>
    /// <param name="messagePack">SignalR's MessagePack protocol instead of JSON.</param>
    /// <param name="firstSource">The last byte of the first loopback source address (127.0.0.N): transports in one run,
    /// in one process or several, must not share source addresses, since each has only ~28,000 ports for all of them.</param>
    public LeanTransport(int connections, bool loopback, bool messagePack = false, int firstSource = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstSource, 2);
        MessagePack = messagePack;
        var count = loopback ? Math.Clamp((connections + ConnectionsPerSourceAddress - 1) / ConnectionsPerSourceAddress, 1, 250) : 1;
        // From 127.0.0.2 on: the servers listen on 127.0.0.1 at ports picked from the same ephemeral
        // range, and a reader's local port on 127.0.0.1 (or one in TIME_WAIT after a run) made a
        // server started next fail with "address already in use" (compare --scenario idle-connections).
        if (loopback && firstSource + count > 255) throw new ArgumentOutOfRangeException(nameof(firstSource), $"127.0.0.{firstSource} on, {count} source addresses do not fit in 127.0.0.0/24.");
        _sources = [.. Enumerable.Range(firstSource, count).Select(i => loopback ? new IPAddress([127, 0, 0, (byte)i]) : IPAddress.Any)];
        FileLimit.Raise(connections + 1_000);
        _keepAlive = KeepAliveLoopAsync();
    }

    public int SourceAddresses => _sources.Length;

    public bool MessagePack { get; }

    /// <summary>A WebSocket to the node's hub, from the next source address in turn.</summary>
    /// <param name="token">A signed-in connection's bearer token (as browsers send it to a WebSocket: ?access_token=).</param>
    public Task<LeanSocket> ConnectAsync(Uri node, CancellationToken ct, string? token = null)
    {
        var hub = new UriBuilder(node) { Scheme = node.Scheme == "https" ? "wss" : "ws", Path = "/hubs/discussion",
            Query = token is null ? "" : "access_token=" + Uri.EscapeDataString(token) }.Uri;
        return LeanSocket.ConnectAsync(hub, _sources[(int)((uint)Interlocked.Increment(ref _next) % (uint)_sources.Length)], ct);
    }

    public HttpClient Http(Uri node) => _http.GetOrAdd(node, n => new HttpClient { BaseAddress = n, Timeout = TimeSpan.FromSeconds(30) });

    internal void Register(LeanReader reader) => _readers.TryAdd(reader, 0);

    internal void Unregister(LeanReader reader) => _readers.TryRemove(reader, out _);

    /// <summary>Every 10 s, a SignalR ping on each connection (the server drops one silent for 30 s).</summary>
    private async Task KeepAliveLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                foreach (var reader in _readers.Keys)
                {
                    try { await reader.PingAsync(_stop.Token); }
                    catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException) { /* its receive loop reports it */ }
                }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _keepAlive;
        foreach (var http in _http.Values) http.Dispose();
    }
}
