using System.Buffers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The lean reader's MessagePack side, on messages written by SignalR's own MessagePack hub protocol.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class LeanMessagePackTests
{
    private static readonly MessagePackHubProtocol Protocol = new();

    private static byte[] Write(HubMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Protocol.WriteMessage(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static Comment C(long seq, string body) => new("t1", seq, 0, "someone", body, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_comments_push_yields_each_seq_with_its_stamp_even_when_a_body_holds_key_like_bytes()
    {
        var bytes = Write(new InvocationMessage("Comments", ["t1", new[] { C(7, "lt:123456:9 load test comment"), C(8, "£Seq\u00a3Body lt:5:") }]));
        var comments = new List<(long Seq, long Sent)>();

        Assert.True(LeanMessagePack.TryFrame(bytes, out var message, out var used));
        var read = LeanMessagePack.Read(message, comments);

        Assert.Equal(bytes.Length, used);
        Assert.Equal(1, read.Type);
        Assert.True(read.IsComments);
        Assert.Equal([(7L, 123456L), (8L, -1L)], comments);
    }

    [Fact]
    public void A_join_completion_gives_the_last_seq_and_its_comments_and_an_error_completion_its_error()
    {
        var join = Write(CompletionMessage.WithResult("1", new JoinResponse(12, [C(12, "lt:42:1 x")], 3)));
        var failed = Write(CompletionMessage.WithError("1", "No such thread."));
        var comments = new List<(long Seq, long Sent)>();

        Assert.True(LeanMessagePack.TryFrame(join, out var message, out _));
        var read = LeanMessagePack.Read(message, comments);
        Assert.True(LeanMessagePack.TryFrame(failed, out var error, out _));

        Assert.Equal((3, 12L, (string?)null), (read.Type, read.LastSeq, read.Error));
        Assert.Equal([(12L, 42L)], comments);
        Assert.Equal("No such thread.", LeanMessagePack.Read(error, []).Error);
    }

    [Fact]
    public void A_message_cut_short_waits_for_the_rest_and_the_tools_own_messages_are_what_SignalR_reads()
    {
        var push = Write(new InvocationMessage("Comments", ["t1", new[] { C(1, "lt:1:1 x") }]));
        Assert.False(LeanMessagePack.TryFrame(push.AsSpan(0, push.Length - 1), out _, out _));

        var join = new ReadOnlySequence<byte>(LeanMessagePack.JoinThread("4", "abc", 17));
        Assert.True(Protocol.TryParseMessage(ref join, new Binder(), out var parsed));
        var invocation = Assert.IsType<InvocationMessage>(parsed);
        Assert.Equal(("4", "JoinThread", "abc", 17L), (invocation.InvocationId, invocation.Target, (string)invocation.Arguments[0]!, (long)invocation.Arguments[1]!));

        var ping = new ReadOnlySequence<byte>(LeanMessagePack.Ping);
        Assert.True(Protocol.TryParseMessage(ref ping, new Binder(), out var pong));
        Assert.IsType<PingMessage>(pong);
    }

    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(string), typeof(long)];
        public Type GetReturnType(string invocationId) => typeof(object);
        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
