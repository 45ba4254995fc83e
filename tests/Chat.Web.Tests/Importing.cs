using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Chat.Web.Tests;

/// <summary>
/// What the import test classes share: a Hacker News story to import, the import request and a check of its counts.
/// Every test writes its own files (Hacker News items as JSON, plain text) with ids of its own.
/// </summary>
internal static class Importing
{
    public const long T0 = 1_700_000_000;

    public static long NewStoryId() => Random.Shared.NextInt64(1_000_000_000, 9_000_000_000);

    public static string HnJson(object story) => JsonSerializer.Serialize(story);

    public static Task<HttpResponseMessage> ImportAsync(ChatApiClient client, string format, string content, string? mediaType = null, bool progress = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/import?format={format}")
        {
            Content = new StringContent(content, Encoding.UTF8, mediaType ?? (format == "hn" ? "application/json" : "text/plain")),
        };
        if (progress) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        return client.Http.SendAsync(request);
    }

    public static void AssertCounts(JsonElement result, int imported, int already, int skipped, int total)
    {
        Assert.Equal(imported, result.GetProperty("imported").GetInt32());
        Assert.Equal(already, result.GetProperty("already").GetInt32());
        Assert.Equal(skipped, result.GetProperty("skipped").GetInt32());
        Assert.Equal(total, result.GetProperty("total").GetInt32());
    }

    /// <summary>A story three levels deep, with HTML and entities, a deleted comment with a reply, and a dead one.</summary>
    public static object Story(long id, string by = "pg", string commentAuthor = "carol") => new
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
}
