using System.Text;
using Xunit;

namespace Chat.LoadTests.Tests;

/// <summary>The lean reader's scanner, on records as the product's hub sends them.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class LeanFramesTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_comments_push_yields_each_seq_with_its_stamp_and_ignores_lookalikes_in_bodies_and_parent_seqs()
    {
        var record = Utf8("""{"type":1,"target":"Comments","arguments":["t1",[{"threadId":"t1","seq":7,"parentSeq":3,"author":"a","body":"lt:123456:9 load test comment","createdAt":"2026-11-30T00:00:00+00:00"},{"threadId":"t1","seq":8,"parentSeq":0,"author":"b","body":"says \"seq\":99 and \"body\":\"lt:5:\"","createdAt":"2026-11-30T00:00:00+00:00"}]]}""");
        var comments = new List<(long Seq, long Sent)>();

        LeanFrames.Comments(record, comments);

        Assert.Equal(1, LeanFrames.TypeOf(record));
        Assert.True(LeanFrames.IsComments(record));
        Assert.Equal([(7L, 123456L), (8L, -1L)], comments);
    }

    [Fact]
    public void A_join_completion_gives_the_last_seq_and_its_comments_and_an_error_completion_its_error()
    {
        var join = Utf8("""{"type":3,"invocationId":"1","result":{"lastSeq":12,"comments":[{"threadId":"t1","seq":12,"parentSeq":0,"author":"a","body":"lt:42:1 x"}],"viewers":3}}""");
        var failed = Utf8("""{"type":3,"invocationId":"1","error":"No such thread."}""");
        var comments = new List<(long Seq, long Sent)>();

        LeanFrames.Comments(join, comments);

        Assert.Equal(3, LeanFrames.TypeOf(join));
        Assert.Equal(12, LeanFrames.LastSeqOf(join));
        Assert.Null(LeanFrames.ErrorOf(join));
        Assert.Equal([(12L, 42L)], comments);
        Assert.Equal("\"No such thread.\"", LeanFrames.ErrorOf(failed));
        Assert.Equal(0, LeanFrames.TypeOf(Utf8("{}")));
        Assert.Equal(6, LeanFrames.TypeOf(LeanFrames.Ping.AsSpan(0, LeanFrames.Ping.Length - 1)));
    }
}
