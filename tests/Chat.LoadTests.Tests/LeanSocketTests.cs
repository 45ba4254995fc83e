using System.Text;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The lean reader's frame parser: server frames in, the data bytes out, however the bytes are cut.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class LeanSocketTests
{
    private static byte[] Frame(int opcode, byte[] payload, bool fin = true)
    {
        var head = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126) head.Add((byte)payload.Length);
        else if (payload.Length <= ushort.MaxValue) { head.Add(126); head.Add((byte)(payload.Length >> 8)); head.Add((byte)payload.Length); }
        else { head.Add(127); for (var i = 7; i >= 0; i--) head.Add((byte)((long)payload.Length >> (8 * i))); }
        return [.. head, .. payload];
    }

    private static string Text(int length, char c) => new(c, length);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Data_of_text_binary_and_continuation_frames_comes_out_whole_and_in_order_around_pings_and_pongs(int chunk)
    {
        // Short, 16-bit and 64-bit lengths; a message in two frames; control frames between them.
        string[] parts = [Text(5, 'a'), Text(300, 'b'), Text(70_000, 'c'), Text(10, 'd'), Text(20, 'e')];
        var wire = new List<byte>();
        wire.AddRange(Frame(1, Encoding.ASCII.GetBytes(parts[0])));
        wire.AddRange(Frame(9, "ping!"u8.ToArray()));
        wire.AddRange(Frame(2, Encoding.ASCII.GetBytes(parts[1])));
        wire.AddRange(Frame(10, []));
        wire.AddRange(Frame(1, Encoding.ASCII.GetBytes(parts[2])));
        wire.AddRange(Frame(1, Encoding.ASCII.GetBytes(parts[3]), fin: false));
        wire.AddRange(Frame(0, Encoding.ASCII.GetBytes(parts[4])));
        using var socket = LeanSocket.Unconnected();

        var output = new StringBuilder();
        var bytes = wire.ToArray();
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            var piece = bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)).ToArray();
            var n = socket.Unframe(piece);
            output.Append(Encoding.ASCII.GetString(piece, 0, n));
        }

        Assert.Equal(string.Concat(parts), output.ToString());
        Assert.True(socket.IsOpen);
    }

    [Fact]
    public void A_close_frame_ends_the_data_and_closes_the_socket()
    {
        using var socket = LeanSocket.Unconnected();
        byte[] wire = [.. Frame(1, "last"u8.ToArray()), .. Frame(8, [0x03, 0xE8]), .. Frame(1, "after"u8.ToArray())];

        var n = socket.Unframe(wire);

        Assert.Equal("last", Encoding.ASCII.GetString(wire, 0, n));
        Assert.False(socket.IsOpen);
    }

    [Fact]
    public void A_masked_server_frame_is_refused()
    {
        using var socket = LeanSocket.Unconnected();
        Assert.Throws<IOException>(() => socket.Unframe(new byte[] { 0x81, 0x81, 1, 2, 3, 4, 5 }));
    }
}
