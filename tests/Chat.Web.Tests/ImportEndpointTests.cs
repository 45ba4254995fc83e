using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Chat.Web.Tests.Importing;

namespace Chat.Web.Tests;

/// <summary>
/// <c>POST /api/admin/import</c>: moderators only, bad files and formats refused with nothing stored, progress lines, files over the API body limit.
/// </summary>
[Collection(ImportCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class ImportEndpointTests(ImportSite fixture)
{
    private async Task<HttpStatusCode> ThreadStatus(string threadId) =>
        (await ChatApiClient.Anonymous(fixture.BaseAddress).Http.GetAsync($"/api/threads/{threadId}")).StatusCode;

    [Fact]
    public async Task Only_moderators_may_import_and_a_refused_import_stores_nothing()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress);
        var storyId = NewStoryId();
        var json = HnJson(Story(storyId));

        var asUser = await ImportAsync(user, "hn", json);
        var asAnonymous = await ImportAsync(anonymous, "hn", json);

        Assert.Equal(HttpStatusCode.Forbidden, asUser.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, asAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await ThreadStatus($"hn{storyId:D10}"));
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { """{"id": {ID}, "title": "Broken", "kids": [""", "Not valid JSON" },
        { """[{"id": {ID}, "title": "A list"}]""", "The file must hold one story item" },
        { """{"id": {ID}, "kids": []}""", "Title is empty." },
        { """{"id": {ID}, "title": "Ids only", "kids": [{"id": {ID1}, "by": "a", "text": "fine"}, {ID2}]}""", "kids[1] is the id" },
        { """{"id": {ID}, "title": "No id", "kids": [{"id": {ID1}, "by": "a", "text": "fine", "kids": [{"by": "b", "text": "no id"}]}]}""", "'id' must be a positive whole number" },
        { """{"id": {ID}, "title": "Twice", "kids": [{"id": {ID1}, "by": "a", "text": "x"}, {"id": {ID1}, "by": "b", "text": "y"}]}""", "appears twice" },
        { """{"id": {ID}, "title": "Bad url", "url": "javascript:alert(1)"}""", "URL must be an absolute" },
        { """{"id": {ID}, "title": "Bad time", "kids": [{"id": {ID1}, "by": "a", "text": "x", "time": "yesterday"}]}""", "'time' must be Unix time" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_hacker_news_file_gets_a_400_naming_the_problem_and_stores_nothing(string template, string expected)
    {
        var storyId = NewStoryId();
        var json = template.Replace("{ID}", storyId.ToString()).Replace("{ID1}", (storyId + 1).ToString()).Replace("{ID2}", (storyId + 2).ToString());

        var response = await ImportAsync(fixture.Moderator, "hn", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, await ThreadStatus($"hn{storyId:D10}"));
    }

    [Fact]
    public async Task A_wrong_format_or_content_type_is_refused()
    {
        var unknownFormat = await ImportAsync(fixture.Moderator, "xml", "<story/>", "application/xml");
        var textAsJson = await ImportAsync(fixture.Moderator, "hn", "# Title\nalice: hi", "text/plain");
        var emptyText = await ImportAsync(fixture.Moderator, "text", "\n  \n");

        Assert.Equal(HttpStatusCode.BadRequest, unknownFormat.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, textAsJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, emptyText.StatusCode);
        Assert.Contains("nothing to import", (await emptyText.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_big_import_streams_progress_lines_and_ends_with_the_summary()
    {
        var lines = Enumerable.Range(1, 250).Select(i => $"user{i % 7}: comment number {i}");
        var text = $"# Progress {Guid.NewGuid():N}\n" + string.Join("\n", lines);

        var response = await ImportAsync(fixture.Moderator, "text", text, progress: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var rows = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(new[] { 0, 100, 200, 250 }, rows[..^1].Select(r => r.GetProperty("done").GetInt32()));
        Assert.All(rows[..^1], r => Assert.Equal(250, r.GetProperty("total").GetInt32()));
        AssertCounts(rows[^1], imported: 250, already: 0, skipped: 0, total: 250);
        var comments = await fixture.Moderator.GetCommentsAsync(rows[^1].GetProperty("threadId").GetString()!);
        Assert.Equal(Enumerable.Range(1, 250).Select(i => $"comment number {i}"), comments.Select(c => c.Body));
    }

    [Fact]
    public async Task A_file_over_the_api_body_limit_is_taken_and_an_over_long_comment_is_cut()
    {
        var lines = Enumerable.Range(1, 50).Select(i => $"user{i}: {i} " + new string('x', 8_000)).Append("long: " + new string('y', 12_000));
        var text = $"# Big file {Guid.NewGuid():N}\n" + string.Join("\n", lines);
        Assert.True(Encoding.UTF8.GetByteCount(text) > 256 * 1024);

        var result = await Json(await ImportAsync(fixture.Moderator, "text", text));

        AssertCounts(result, imported: 51, already: 0, skipped: 0, total: 51);
        Assert.Equal(1, result.GetProperty("truncated").GetInt32());
        var last = (await fixture.Moderator.GetCommentsAsync(result.GetProperty("threadId").GetString()!))[^1];
        Assert.Equal(Limits.BodyMaxLength, last.Body.Length);
        Assert.EndsWith("y…", last.Body);
    }
}
