using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Chat.LoadTests;

/// <summary>
/// The client end of a WebSocket (RFC 6455) on a bare socket, for the lean readers: one socket
/// receive brings whatever frames have arrived, and their headers are cut out in place, so a
/// receive costs one syscall and one pass over the bytes. .NET's ClientWebSocket reads a frame's
/// header and its payload in separate calls through three layers of streams, which made the
/// generator spend most of a server's CPU per delivery (docs/performance-history.md). Reads the data of
/// text and binary frames as one byte stream (SignalR's records carry their own boundaries),
/// answers pings, and ends at the server's close. TLS (wss) through SslStream.
/// </summary>
public sealed class LeanSocket : IDisposable
{
    private const byte OpText = 1, OpBinary = 2, OpClose = 8, OpPing = 9;
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly SemaphoreSlim _sending = new(1, 1);
    // Bytes that came with the handshake's answer: the first frames, read before the socket.
    private byte[] _early;
    private int _earlyOffset;
    // Where the frame parser is: inside a payload (_payloadLeft) or gathering a header.
    private long _payloadLeft;
    private byte _opcode;
    private readonly byte[] _header = new byte[14];
    private int _headerCount;
    private byte[]? _ping;
    private int _pingCount;
    private bool _pongDue, _closeReceived, _closeSent;

    private LeanSocket(Socket socket, SslStream? tls, byte[] early)
    {
        _socket = socket;
        _tls = tls;
        _early = early;
    }

    /// <summary>A socket never connected: for tests of the frame parser (<see cref="Unframe"/>).</summary>
    internal static LeanSocket Unconnected() => new(new Socket(SocketType.Stream, ProtocolType.Tcp), null, []);

    /// <summary>Open until either side closed it.</summary>
    public bool IsOpen => !_closeReceived && !_closeSent;

    /// <param name="source">The local address to connect from (loopback spread), or Any.</param>
    public static async Task<LeanSocket> ConnectAsync(Uri url, IPAddress source, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        try
        {
            if (!source.Equals(IPAddress.Any)) socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new DnsEndPoint(url.Host, url.Port), ct);
            var secure = url.Scheme is "https" or "wss";
            if (secure)
            {
                tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.Host }, ct);
            }
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            if (tls is null) await socket.SendAsync(request, SocketFlags.None, ct);
            else await tls.WriteAsync(request, ct);
            var early = await ReadUpgradeAnswerAsync(socket, tls, key, ct);
            return new LeanSocket(socket, tls, early);
        }
        catch
        {
            tls?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the answer's head; checks 101 and the accept key; returns the bytes after it.</summary>
    private static async Task<byte[]> ReadUpgradeAnswerAsync(Socket socket, SslStream? tls, string key, CancellationToken ct)
    {
        var buffer = new byte[8192];
        var count = 0;
        while (true)
        {
            var n = tls is null ? await socket.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None, ct) : await tls.ReadAsync(buffer.AsMemory(count), ct);
            if (n == 0) throw new IOException("the server closed the connection during the WebSocket handshake");
            count += n;
            var end = buffer.AsSpan(0, count).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                if (count == buffer.Length) throw new IOException("the WebSocket handshake's answer is over 8 KB");
                continue;
            }
            var head = Encoding.ASCII.GetString(buffer, 0, end);
            var status = head.Split("\r\n")[0];
            if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) throw new IOException($"WebSocket handshake refused: {status}");
            var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
            if (!head.Contains($"\r\nSec-WebSocket-Accept: {expected}", StringComparison.OrdinalIgnoreCase))
                throw new IOException("WebSocket handshake: the server's Sec-WebSocket-Accept does not match the key");
            return buffer.AsSpan(end + 4, count - end - 4).ToArray();
        }
    }

    /// <summary>
    /// Waits for data and puts the payload bytes of the data frames that arrived into buffer;
    /// returns how many (at least 1), or 0 once the server has closed.
    /// </summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        while (!_closeReceived)
        {
            int n;
            if (_earlyOffset < _early.Length)
            {
                n = Math.Min(_early.Length - _earlyOffset, buffer.Length);
                _early.AsSpan(_earlyOffset, n).CopyTo(buffer.Span);
                _earlyOffset += n;
                if (_earlyOffset == _early.Length) _early = [];
            }
            else n = _tls is null ? await _socket.ReceiveAsync(buffer, SocketFlags.None, ct) : await _tls.ReadAsync(buffer, ct);
            if (n == 0) { _closeReceived = true; break; }
            var data = Unframe(buffer.Span[..n]);
            if (_pongDue) await PongAsync(ct);
            if (data > 0) return data;
        }
        return 0;
    }

    /// <summary>Cuts the frame headers (and control frames) out of received bytes, in place; returns the data bytes left at the front.</summary>
    internal int Unframe(Span<byte> bytes)
    {
        int read = 0, written = 0;
        while (read < bytes.Length && !_closeReceived)
        {
            if (_payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, bytes.Length - read);
                if (_opcode < OpClose) bytes.Slice(read, take).CopyTo(bytes[written..]); // overlapping: CopyTo moves like memmove
                else if (_opcode == OpPing) KeepPing(bytes.Slice(read, take));
                if (_opcode < OpClose) written += take;
                read += take;
                _payloadLeft -= take;
                if (_payloadLeft == 0 && _opcode >= OpClose) EndOfControlFrame();
                continue;
            }
            _header[_headerCount++] = bytes[read++];
            if (_headerCount < 2) continue;
            if ((_header[1] & 0x80) != 0) throw new IOException("WebSocket: the server sent a masked frame");
            var length = _header[1] & 0x7F;
            var headerLength = length == 126 ? 4 : length == 127 ? 10 : 2;
            if (_headerCount < headerLength) continue;
            _opcode = (byte)(_header[0] & 0x0F);
            _payloadLeft = length == 126 ? BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)) : length == 127 ? (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)) : length;
            _headerCount = 0;
            if (_opcode >= OpClose) _pingCount = 0;
            if (_payloadLeft == 0 && _opcode >= OpClose) EndOfControlFrame();
        }
        return written;
    }

    private void KeepPing(ReadOnlySpan<byte> part)
    {
        _ping ??= new byte[125];
        var take = Math.Min(part.Length, _ping.Length - _pingCount);
        part[..take].CopyTo(_ping.AsSpan(_pingCount));
        _pingCount += take;
    }

    private void EndOfControlFrame()
    {
        if (_opcode == OpClose) _closeReceived = true;
        else if (_opcode == OpPing) _pongDue = true;
    }

    private Task PongAsync(CancellationToken ct)
    {
        _pongDue = false;
        return SendFrameAsync(0xA, _ping.AsSpan(0, _pingCount).ToArray(), ct);
    }

    /// <summary>One message in one frame: text (JSON records, the handshake) or binary (MessagePack).</summary>
    public Task SendAsync(byte[] payload, bool binary, CancellationToken ct) => SendFrameAsync(binary ? OpBinary : OpText, payload, ct);

    /// <summary>Says goodbye (status 1000); the server answers with its close and ends the connection.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        if (_closeSent) return;
        await SendFrameAsync(OpClose, [0x03, 0xE8], ct);
        _closeSent = true;
    }

    /// <summary>A client frame: always masked (RFC 6455 5.3), written whole under one lock.</summary>
    private async Task SendFrameAsync(int opcode, byte[] payload, CancellationToken ct)
    {
        if (payload.Length > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(payload), "the lean reader sends small messages only");
        var extended = payload.Length >= 126 ? 2 : 0;
        var frame = new byte[2 + extended + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)(0x80 | (extended > 0 ? 126 : payload.Length));
        if (extended > 0) BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        var mask = frame.AsSpan(2 + extended, 4);
        RandomNumberGenerator.Fill(mask);
        for (var i = 0; i < payload.Length; i++) frame[6 + extended + i] = (byte)(payload[i] ^ mask[i & 3]);
        await _sending.WaitAsync(ct);
        try
        {
            if (_tls is not null) { await _tls.WriteAsync(frame, ct); return; }
            for (var sent = 0; sent < frame.Length;) sent += await _socket.SendAsync(frame.AsMemory(sent), SocketFlags.None, ct);
        }
        finally { _sending.Release(); }
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
        _sending.Dispose();
    }
}
