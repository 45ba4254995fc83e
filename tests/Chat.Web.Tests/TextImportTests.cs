using static Chat.Web.Tests.Importing;

namespace Chat.Web.Tests;

/// <summary>
/// Importing plain text: a title line, then one top-level comment per line.
/// </summary>
[Collection(ImportCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class TextImportTests(ImportSite fixture)
{
    [Fact]
    public async Task A_plain_text_file_comes_in_one_top_level_comment_per_line_and_a_second_run_adds_nothing()
    {
        var title = "Plain text import " + Guid.NewGuid().ToString("N")[..8];
        var text = $"# {title}\r\nalice: Hello there, see https://example.com/x\r\nbob\tSecond, tab-separated\r\nA line with no author\r\n\r\ncarol:\r\nNote: colon lines name their author\r\n";

        var first = await Json(await ImportAsync(fixture.Moderator, "text", text));

        AssertCounts(first, imported: 4, already: 0, skipped: 1, total: 5);
        var threadId = first.GetProperty("threadId").GetString()!;
        Assert.True(Limits.IsValidThreadId(threadId), threadId);
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);
        var thread = await reader.GetThreadAsync(threadId);
        Assert.Equal(title, thread.Title);
        Assert.Equal(ImportSite.ModeratorName, thread.Author);
        var comments = await reader.GetCommentsAsync(threadId);
        Assert.Equal(
            new[] { ("alice@text", "Hello there, see https://example.com/x"), ("bob@text", "Second, tab-separated"), ("anonymous@text", "A line with no author"), ("Note@text", "colon lines name their author") },
            comments.Select(c => (c.Author, c.Body)));
        Assert.All(comments, c => Assert.Equal(0, c.ParentSeq));

        var second = await Json(await ImportAsync(fixture.Moderator, "text", text));

        Assert.Equal(threadId, second.GetProperty("threadId").GetString());
        AssertCounts(second, imported: 0, already: 4, skipped: 1, total: 5);
        Assert.Equal(4, (await reader.GetCommentsAsync(threadId)).Length);
    }
}
