using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace Chat.LoadTests;

/// <summary>
/// Just enough of SignalR's MessagePack hub protocol for the lean reader: each message is a
/// length-prefixed (VarInt) MessagePack array; of invocations it reads the target, of comments the
/// Seq and the send stamp in the Body, of the JoinThread completion the LastSeq. It walks the
/// structure (every value is skipped by its header), so no bytes inside a comment's text can be
/// taken for a key. Property names are the .NET ones (PascalCase): SignalR writes objects as maps.
/// </summary>
public static class LeanMessagePack
{
    public static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"messagepack\",\"version\":1}\u001e");

    /// <summary>[6]: a ping, length-prefixed.</summary>
    public static readonly byte[] Ping = [0x02, 0x91, 0x06];

    /// <summary>[1, {}, id, "JoinThread", [threadId, afterSeq]], length-prefixed.</summary>
    public static byte[] JoinThread(string invocationId, string threadId, long afterSeq)
    {
        var body = new List<byte> { 0x95, 0x01, 0x80 };
        Str(body, invocationId);
        Str(body, "JoinThread");
        body.Add(0x92);
        Str(body, threadId);
        body.Add(0xd3);
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(n, afterSeq);
        body.AddRange(n.ToArray());
        var message = new List<byte>(body.Count + 5);
        for (var length = (uint)body.Count; ; length >>= 7)
        {
            if (length < 0x80) { message.Add((byte)length); break; }
            message.Add((byte)(length & 0x7f | 0x80));
        }
        message.AddRange(body);
        return [.. message];
    }

    private static void Str(List<byte> into, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (bytes.Length < 32) into.Add((byte)(0xa0 | bytes.Length));
        else { into.Add(0xd9); into.Add((byte)bytes.Length); }
        into.AddRange(bytes);
    }

    /// <summary>
    /// The next complete message in <paramref name="data"/>: false when more bytes are needed. On true,
    /// <paramref name="message"/> is the message and <paramref name="consumed"/> its size with the prefix.
    /// </summary>
    public static bool TryFrame(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> message, out int consumed)
    {
        message = default;
        consumed = 0;
        uint length = 0;
        for (var i = 0; i < Math.Min(5, data.Length); i++)
        {
            length |= (uint)(data[i] & 0x7f) << (7 * i);
            if ((data[i] & 0x80) != 0) continue;
            if (data.Length - (i + 1) < length) return false;
            message = data.Slice(i + 1, (int)length);
            consumed = i + 1 + (int)length;
            return true;
        }
        return false;
    }

    /// <summary>What the reader needs of one message.</summary>
    public readonly record struct Message(int Type, bool IsComments, bool IsReconnect, long LastSeq, string? Error);

    /// <summary>Reads one message; the comments it carries (a push, or a join's result) go to <paramref name="comments"/>.</summary>
    public static Message Read(ReadOnlySpan<byte> message, List<(long Seq, long Sent)> comments)
    {
        var r = new Cursor(message);
        var fields = r.ArrayHeader();
        var type = (int)r.Int();
        switch (type)
        {
            case 1 when fields >= 5:
            {
                r.Skip(); // headers
                r.Skip(); // invocation id
                var target = r.Str();
                var isComments = target.SequenceEqual("Comments"u8);
                if (isComments)
                {
                    r.ArrayHeader();
                    r.Skip(); // thread id
                    ReadComments(ref r, comments);
                }
                return new Message(1, isComments, target.SequenceEqual("Reconnect"u8), 0, null);
            }
            case 3 when fields >= 4:
            {
                r.Skip(); // headers
                r.Skip(); // invocation id
                var kind = r.Int();
                if (kind == 1) return new Message(3, false, false, 0, Encoding.UTF8.GetString(r.Str()));
                long lastSeq = 0;
                if (kind == 3)
                {
                    for (var keys = r.MapHeader(); keys > 0; keys--)
                    {
                        var key = r.Str();
                        if (key.SequenceEqual("LastSeq"u8)) lastSeq = r.Int();
                        else if (key.SequenceEqual("Comments"u8)) ReadComments(ref r, comments);
                        else r.Skip();
                    }
                }
                return new Message(3, false, false, lastSeq, null);
            }
            case 7:
                return new Message(7, false, false, 0, fields >= 2 && r.IsStr ? Encoding.UTF8.GetString(r.Str()) : null);
            default:
                return new Message(type, false, false, 0, null);
        }
    }

    private static void ReadComments(ref Cursor r, List<(long Seq, long Sent)> into)
    {
        for (var n = r.ArrayHeader(); n > 0; n--)
        {
            long seq = 0, sent = -1;
            for (var keys = r.MapHeader(); keys > 0; keys--)
            {
                var key = r.Str();
                if (key.SequenceEqual("Seq"u8)) seq = r.Int();
                else if (key.SequenceEqual("Body"u8))
                {
                    var body = r.Str();
                    if (body.StartsWith("lt:"u8) && Utf8Parser.TryParse(body[3..], out long stamp, out _)) sent = stamp;
                }
                else r.Skip();
            }
            into.Add((seq, sent));
        }
    }

    /// <summary>A forward-only reader of MessagePack values.</summary>
    private ref struct Cursor(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly bool IsStr => _data.Length > 0 && (_data[0] is >= 0xa0 and <= 0xbf or 0xd9 or 0xda or 0xdb);

        public int ArrayHeader()
        {
            var b = Take();
            return b switch
            {
                >= 0x90 and <= 0x9f => b & 0x0f,
                0xdc => (int)Big(2),
                0xdd => (int)Big(4),
                _ => throw Bad(b, "array"),
            };
        }

        public int MapHeader()
        {
            var b = Take();
            return b switch
            {
                >= 0x80 and <= 0x8f => b & 0x0f,
                0xde => (int)Big(2),
                0xdf => (int)Big(4),
                _ => throw Bad(b, "map"),
            };
        }

        public long Int()
        {
            var b = Take();
            return b switch
            {
                <= 0x7f => b,
                >= 0xe0 => (sbyte)b,
                0xcc => (long)Big(1),
                0xcd => (long)Big(2),
                0xce => (long)Big(4),
                0xcf => (long)Big(8),
                0xd0 => (sbyte)Big(1),
                0xd1 => (short)Big(2),
                0xd2 => (int)Big(4),
                0xd3 => (long)Big(8),
                _ => throw Bad(b, "integer"),
            };
        }

        public ReadOnlySpan<byte> Str()
        {
            var b = Take();
            var length = b switch
            {
                >= 0xa0 and <= 0xbf => b & 0x1f,
                0xd9 => (int)Big(1),
                0xda => (int)Big(2),
                0xdb => (int)Big(4),
                0xc0 => 0, // nil
                _ => throw Bad(b, "string"),
            };
            var s = _data[..length];
            _data = _data[length..];
            return s;
        }

        /// <summary>Skips one value of any type, containers with everything in them.</summary>
        public void Skip()
        {
            var b = _data[0];
            switch (b)
            {
                case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3: _data = _data[1..]; return;
                case >= 0x80 and <= 0x8f or 0xde or 0xdf:
                    for (var n = MapHeader() * 2; n > 0; n--) Skip();
                    return;
                case >= 0x90 and <= 0x9f or 0xdc or 0xdd:
                    for (var n = ArrayHeader(); n > 0; n--) Skip();
                    return;
                case >= 0xa0 and <= 0xbf or 0xd9 or 0xda or 0xdb: Str(); return;
                case >= 0xcc and <= 0xd3: Int(); return;
                case 0xca: Advance(5); return; // float32
                case 0xcb: Advance(9); return; // float64
                case 0xc4: Take(); Advance((int)Big(1)); return; // bin8
                case 0xc5: Take(); Advance((int)Big(2)); return;
                case 0xc6: Take(); Advance((int)Big(4)); return;
                case 0xd4: Advance(3); return; // fixext 1
                case 0xd5: Advance(4); return;
                case 0xd6: Advance(6); return; // fixext 4 (timestamps)
                case 0xd7: Advance(10); return;
                case 0xd8: Advance(18); return;
                case 0xc7: Take(); Advance((int)Big(1) + 1); return; // ext8
                case 0xc8: Take(); Advance((int)Big(2) + 1); return;
                case 0xc9: Take(); Advance((int)Big(4) + 1); return;
                default: throw Bad(b, "value");
            }
        }

        private byte Take()
        {
            var b = _data[0];
            _data = _data[1..];
            return b;
        }

        private void Advance(int n) => _data = _data[n..];

        private ulong Big(int bytes)
        {
            ulong v = 0;
            for (var i = 0; i < bytes; i++) v = v << 8 | _data[i];
            _data = _data[bytes..];
            return v;
        }

        private static InvalidDataException Bad(byte b, string expected) => new($"MessagePack: expected {expected}, found 0x{b:x2}.");
    }
}
