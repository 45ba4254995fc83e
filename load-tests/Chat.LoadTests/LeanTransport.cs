using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Chat.LoadTests;

/// <summary>
/// What the lean readers of one run share: WebSocket connects spread over several loopback source
/// addresses (each has its own ~28,000 ephemeral ports, so 100,000 connections to one port fit),
/// one HTTP client per node for gap fills, and one keep-alive loop for all of them instead of a
/// timer per connection.
/// </summary>
public sealed class LeanTransport : IAsyncDisposable
{
    /// <summary>Connections per loopback source address: below the ~28,000 ephemeral ports Linux gives each.</summary>
    public const int ConnectionsPerSourceAddress = 20_000;

    private readonly IPAddress[] _sources;
    private readonly HttpMessageInvoker[] _invokers;
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
    public LeanTransport(int connections, bool loopback, bool messagePack = false)
    {
        MessagePack = messagePack;
        var count = loopback ? Math.Clamp((connections + ConnectionsPerSourceAddress - 1) / ConnectionsPerSourceAddress, 1, 250) : 1;
        // From 127.0.0.2 on: the servers listen on 127.0.0.1 at ports picked from the same ephemeral
        // range, and a reader's local port on 127.0.0.1 (or one in TIME_WAIT after a run) made a
        // server started next fail with "address already in use" (compare --scenario idle-connections).
        _sources = [.. Enumerable.Range(2, count).Select(i => loopback ? new IPAddress([127, 0, 0, (byte)i]) : IPAddress.Any)];
        _invokers = [.. _sources.Select(source => new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectCallback = (context, ct) => ConnectFromAsync(source, context.DnsEndPoint, ct),
        }))];
        FileLimit.Raise(connections + 1_000);
        _keepAlive = KeepAliveLoopAsync();
    }

    public int SourceAddresses => _sources.Length;

    public bool MessagePack { get; }

    public async Task<ClientWebSocket> ConnectAsync(Uri node, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        // SignalR pings at its own level (below); no WebSocket-level pings on top.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var hub = new UriBuilder(node) { Scheme = node.Scheme == "https" ? "wss" : "ws", Path = "/hubs/discussion" }.Uri;
        var invoker = _invokers[(int)((uint)Interlocked.Increment(ref _next) % (uint)_invokers.Length)];
        try
        {
            await socket.ConnectAsync(hub, invoker, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    public HttpClient Http(Uri node) => _http.GetOrAdd(node, n => new HttpClient { BaseAddress = n, Timeout = TimeSpan.FromSeconds(30) });

    internal void Register(LeanReader reader) => _readers.TryAdd(reader, 0);

    internal void Unregister(LeanReader reader) => _readers.TryRemove(reader, out _);

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint target, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (!source.Equals(IPAddress.Any)) socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(target, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

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
                    catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException) { /* its receive loop reports it */ }
                }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _keepAlive;
        foreach (var invoker in _invokers) invoker.Dispose();
        foreach (var http in _http.Values) http.Dispose();
    }
}
