using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chat.Import;
using Spectre.Console;

namespace Chat.Web.Tests;

/// <summary>A site of its own for the import tests, with a configured moderator signed in.</summary>
public sealed class ImportSite : IAsyncLifetime
{
    public const string ModeratorName = "importer";
    public const string CommandModeratorName = "importcli";

    public OwnSite Site { get; private set; } = null!;
    public ChatApiClient Moderator { get; private set; } = null!;
    public Uri BaseAddress => Site.BaseAddress;

    public async Task InitializeAsync()
    {
        Site = await OwnSite.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Moderators:0"] = ModeratorName,
            ["Chat:Moderators:1"] = CommandModeratorName,
        });
        Moderator = await ChatApiClient.SignedUpAsync(Site.BaseAddress, ModeratorName);
    }

    public async Task DisposeAsync()
    {
        Moderator.Dispose();
        await Site.DisposeAsync();
    }
}

/// <summary>
/// Importing discussions through <c>POST /api/admin/import</c> and the Chat.Import command: every test
/// writes its own files (Hacker News items as JSON, plain text) with ids of its own.
/// </summary>
public sealed class ImportTests(ImportSite fixture) : IClassFixture<ImportSite>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const long T0 = 1_700_000_000;

    private static long NewStoryId() => Random.Shared.NextInt64(1_000_000_000, 9_000_000_000);

    private static string HnJson(object story) => JsonSerializer.Serialize(story);

    private static Task<HttpResponseMessage> ImportAsync(ChatApiClient client, string format, string content, string? mediaType = null, bool progress = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/import?format={format}")
        {
            Content = new StringContent(content, Encoding.UTF8, mediaType ?? (format == "hn" ? "application/json" : "text/plain")),
        };
        if (progress) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        return client.Http.SendAsync(request);
    }

    private static void AssertCounts(JsonElement result, int imported, int already, int skipped, int total)
    {
        Assert.Equal(imported, result.GetProperty("imported").GetInt32());
        Assert.Equal(already, result.GetProperty("already").GetInt32());
        Assert.Equal(skipped, result.GetProperty("skipped").GetInt32());
        Assert.Equal(total, result.GetProperty("total").GetInt32());
    }

    private async Task<HttpStatusCode> ThreadStatus(string threadId) =>
        (await ChatApiClient.Anonymous(fixture.BaseAddress).Http.GetAsync($"/api/threads/{threadId}")).StatusCode;

    /// <summary>A story three levels deep, with HTML and entities, a deleted comment with a reply, and a dead one.</summary>
    private static object Story(long id, string by = "pg", string commentAuthor = "carol") => new
    {
        id,
        type = "story",
        by,
        title = "Show HN: an imported discussion",
        url = "https://example.com/show",
        time = T0,
        kids = new object[]
        {
            new
            {
                id = id + 1, type = "comment", by = "alice", time = T0 + 60,
                text = "It&#x27;s a <i>great</i> point.<p>See <a href=\"https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2\" rel=\"nofollow\">https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2</a>",
                kids = new object[]
                {
                    new
                    {
                        id = id + 2, type = "comment", by = "bob", time = T0 + 120, text = "&gt; great point<p>I disagree &amp; here&#x27;s why.",
                        kids = new object[] { new { id = id + 3, type = "comment", by = commentAuthor, time = T0 + 180, text = "Third level." } },
                    },
                    new
                    {
                        id = id + 4, type = "comment", deleted = true, time = T0 + 200,
                        kids = new object[] { new { id = id + 5, type = "comment", by = "dave", time = T0 + 240, text = "Replying to a deleted comment." } },
                    },
                },
            },
            new { id = id + 6, type = "comment", by = "mallory", time = T0 + 300, text = "buy now", dead = true },
            new { id = id + 7, type = "comment", by = "erin", time = T0 + 360, text = "Second top-level comment." },
        },
    };

    [Fact]
    public async Task A_hacker_news_story_comes_in_with_its_tree_authors_bodies_and_times_and_a_second_run_adds_nothing()
    {
        var storyId = NewStoryId();
        var json = HnJson(Story(storyId));

        var first = await Json(await ImportAsync(fixture.Moderator, "hn", json));

        var threadId = $"hn{storyId:D10}";
        Assert.Equal(threadId, first.GetProperty("threadId").GetString());
        AssertCounts(first, imported: 5, already: 0, skipped: 2, total: 7);
        using var reader = ChatApiClient.Anonymous(fixture.BaseAddress);
        var thread = await reader.GetThreadAsync(threadId);
        Assert.Equal("Show HN: an imported discussion", thread.Title);
        Assert.Equal("https://example.com/show", thread.Url);
        Assert.Equal("pg@hn", thread.Author);

        var comments = await reader.GetCommentsAsync(threadId);
        // Breadth first: both top-level comments, then their replies, then the third level.
        Assert.Equal(new[] { "alice@hn", "erin@hn", "bob@hn", "dave@hn", "carol@hn" }, comments.Select(c => c.Author));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, comments.Select(c => c.Seq));
        var by = comments.ToDictionary(c => c.Author);
        Assert.Equal(0, by["alice@hn"].ParentSeq);
        Assert.Equal(0, by["erin@hn"].ParentSeq);
        Assert.Equal(by["alice@hn"].Seq, by["bob@hn"].ParentSeq);
        Assert.Equal(by["bob@hn"].Seq, by["carol@hn"].ParentSeq);
        Assert.Equal(by["alice@hn"].Seq, by["dave@hn"].ParentSeq); // the deleted parent's reply moves up to its grandparent
        Assert.Equal("It's a great point.\n\nSee https://example.com/a?b=1&c=2", by["alice@hn"].Body);
        Assert.Equal("> great point\n\nI disagree & here's why.", by["bob@hn"].Body);
        Assert.Equal("Third level.", by["carol@hn"].Body);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 60), by["alice@hn"].CreatedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 180), by["carol@hn"].CreatedAt);
        Assert.DoesNotContain(comments, c => c.Body.Contains("buy now"));

        var second = await Json(await ImportAsync(fixture.Moderator, "hn", json));

        AssertCounts(second, imported: 0, already: 5, skipped: 2, total: 7);
        Assert.Equal(comments, await reader.GetCommentsAsync(threadId));
        Assert.Equal(5, (await reader.GetThreadAsync(threadId)).LastSeq);
    }

    [Fact]
    public async Task An_imported_author_is_a_display_name_that_no_account_can_edit_delete_or_collect_karma_for()
    {
        using var namesake = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var voter = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var storyId = NewStoryId();
        var threadId = (await Json(await ImportAsync(fixture.Moderator, "hn", HnJson(Story(storyId, by: namesake.UserName!, commentAuthor: namesake.UserName!)))))
            .GetProperty("threadId").GetString()!;
        var imported = (await namesake.GetCommentsAsync(threadId)).Single(c => c.Author == namesake.UserName + "@hn");

        var edit = await namesake.Http.PutAsJsonAsync($"/api/threads/{threadId}/comments/{imported.Seq}", new { body = "hijacked" });
        var delete = await namesake.Http.DeleteAsync($"/api/threads/{threadId}/comments/{imported.Seq}");
        var commentVote = await voter.Http.PostAsync($"/api/threads/{threadId}/comments/{imported.Seq}/vote", null);
        var threadVote = await voter.Http.PostAsync($"/api/threads/{threadId}/votes", null);
        // Not their own comment, so the namesake may vote on it too.
        var namesakeVote = await namesake.Http.PostAsync($"/api/threads/{threadId}/comments/{imported.Seq}/vote", null);

        Assert.Equal(HttpStatusCode.Forbidden, edit.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(1, (await Json(commentVote)).GetProperty("points").GetInt64());
        Assert.Equal(1, (await Json(threadVote)).GetProperty("points").GetInt64());
        Assert.Equal(2, (await Json(namesakeVote)).GetProperty("points").GetInt64());
        Assert.Equal("Third level.", (await namesake.GetCommentsAsync(threadId)).Single(c => c.Seq == imported.Seq).Body);

        // A vote on the namesake's own comment does reach their karma: once it shows, nothing else has.
        var own = await namesake.PostCommentSeqAsync(threadId, 0, "my own words");
        await Json(await voter.Http.PostAsync($"/api/threads/{threadId}/comments/{own}/vote", null));
        async Task<long> Karma() => (await voter.Http.GetFromJsonAsync<JsonElement>($"/api/users/{namesake.UserName}")).GetProperty("karma").GetInt64();
        await Eventually.True(async () => await Karma() >= 1, Deadline, "the vote on the namesake's own comment counts");
        Assert.Equal(1, await Karma());
    }

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
    public async Task Importing_a_story_that_grew_adds_only_the_new_comments_and_open_pages_get_them_live()
    {
        var storyId = NewStoryId();
        object Comment(long id, string by, string text, params object[] kids) => new { id, type = "comment", by, time = T0 + id - storyId, text, kids };
        var before = new { id = storyId, type = "story", by = "pg", title = "A growing story", time = T0, kids = new[] { Comment(storyId + 1, "alice", "first"), Comment(storyId + 2, "bob", "second") } };
        var after = new
        {
            id = storyId, type = "story", by = "pg", title = "A growing story", time = T0,
            kids = new[] { Comment(storyId + 1, "alice", "first", Comment(storyId + 3, "carol", "a late reply")), Comment(storyId + 2, "bob", "second"), Comment(storyId + 4, "dave", "a late top-level comment") },
        };
        var threadId = (await Json(await ImportAsync(fixture.Moderator, "hn", HnJson(before)))).GetProperty("threadId").GetString()!;
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        Assert.Equal(2, reader.LastSeq);

        var result = await Json(await ImportAsync(fixture.Moderator, "hn", HnJson(after)));

        AssertCounts(result, imported: 2, already: 2, skipped: 0, total: 4);
        await Eventually.True(() => reader.LastSeq == 4, Deadline, "the open page gets the two new comments");
        var received = reader.Received;
        Assert.Equal(new long[] { 1, 2, 3, 4 }, received.Select(c => c.Seq));
        Assert.Equal(("dave@hn", 0L), (received[2].Author, received[2].ParentSeq));
        Assert.Equal(("carol@hn", 1L), (received[3].Author, received[3].ParentSeq));
        Assert.Equal(0, reader.GapFetches);
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

    [Fact]
    public async Task The_import_command_signs_in_as_a_moderator_posts_the_file_and_reports()
    {
        const string password = "import command password";
        using (var anonymous = ChatApiClient.Anonymous(fixture.BaseAddress))
            (await anonymous.Http.PostAsJsonAsync("/api/auth/register", new { userName = ImportSite.CommandModeratorName, password })).EnsureSuccessStatusCode();
        var storyId = NewStoryId();
        var file = Path.Combine(Path.GetTempPath(), $"hn-{storyId}.json");
        await File.WriteAllTextAsync(file, HnJson(Story(storyId)));
        try
        {
            var (exit, output) = await RunCommand(["--file", file, "--user", ImportSite.CommandModeratorName, "--url", fixture.BaseAddress.ToString()], password);

            Assert.True(exit == 0, output);
            Assert.Contains($"hn{storyId:D10}", output);
            Assert.Contains("5/5 comments", output);
            Assert.Equal(5, (await fixture.Moderator.GetCommentsAsync($"hn{storyId:D10}")).Length);

            var (wrongPasswordExit, wrongPasswordOutput) = await RunCommand(["--file", file, "--user", ImportSite.CommandModeratorName, "--url", fixture.BaseAddress.ToString()], "not the password");
            Assert.Equal(1, wrongPasswordExit);
            Assert.Contains("Sign-in refused: 401", wrongPasswordOutput);
            var (usageExit, usageOutput) = await RunCommand(["--file", file], password);
            Assert.Equal(2, usageExit);
            Assert.Contains("--user is required", usageOutput);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Exit, string Output)> RunCommand(string[] args, string password)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var exit = await ImportTool.RunAsync(args, console, name => name == ImportTool.PasswordVariable ? password : null);
        return (exit, output.ToString());
    }
}
