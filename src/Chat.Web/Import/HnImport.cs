using System.Globalization;
using System.Text.Json;

namespace Chat.Web.Import;

/// <summary>
/// Reads a Hacker News discussion in the HN API's item shape: one story item whose "kids" hold the
/// nested comment items themselves (the way exports are usually assembled from the API), not ids.
/// </summary>
/// <remarks>
/// Deleted and dead comments are skipped; their replies move up under the nearest kept ancestor, so
/// nothing that can be read is lost (the alternative, a "[deleted]" slot, would need a second write
/// per slot). Comments whose text comes out empty are skipped the same way.
/// </remarks>
public static class HnImport
{
    public const string Source = "hn";
    private const long MaxStoryId = 9_999_999_999;
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>"hn" and the story id in 10 digits: the same story always lands in the same thread.</summary>
    public static string ThreadIdOf(long storyId) => "hn" + storyId.ToString("D10", CultureInfo.InvariantCulture);

    public static ImportSource Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            // Every level of replies is two levels of JSON (item, kids): room for deep arguments.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1024 });
        }
        catch (JsonException e)
        {
            throw new ImportFormatException($"Not valid JSON: {e.Message}");
        }
        using (document)
        {
            var story = document.RootElement;
            if (story.ValueKind != JsonValueKind.Object)
                throw new ImportFormatException("The file must hold one story item: a JSON object with id, title and kids.");
            var id = IdOf(story, "The story");
            if (id > MaxStoryId) throw new ImportFormatException($"Story id {id} is too large: at most 10 digits.");
            var type = StringOf(story, "type", id);
            if (type is not (null or "story" or "job" or "poll"))
                throw new ImportFormatException($"Item {id} is a '{type}': the top item must be a story.");
            var title = StringOf(story, "title", id);
            if (Limits.CheckTitle(title) is { } titleError) throw new ImportFormatException($"Story {id}: {titleError}");
            var url = StringOf(story, "url", id);
            if (Limits.CheckUrl(url) is { } urlError) throw new ImportFormatException($"Story {id}: {urlError}");

            var walk = new Walk();
            walk.Ids.Add(id);
            var body = HtmlText.ToPlainText(StringOf(story, "text", id));
            body = ImportBody.Fit(body, ref walk.Truncated);
            walk.Kids(story, id, null, 0);
            return new ImportSource(
                ThreadIdOf(id), title!.Trim(), string.IsNullOrWhiteSpace(url) ? null : url, body.Length == 0 ? null : body,
                ImportedAuthor.Of(StringOf(story, "by", id), Source),
                // OrderBy is stable: within a depth, comments keep their order in the file.
                walk.Kept.OrderBy(k => k.Depth).Select(k => k.Comment).ToArray(),
                walk.Skipped, walk.Truncated);
        }
    }

    private sealed class Walk
    {
        public readonly HashSet<long> Ids = [];
        public readonly List<(ImportedComment Comment, int Depth)> Kept = [];
        public int Skipped;
        public int Truncated;

        public void Kids(JsonElement item, long id, string? parentKey, int depth)
        {
            if (!item.TryGetProperty("kids", out var kids) || kids.ValueKind == JsonValueKind.Null) return;
            if (kids.ValueKind != JsonValueKind.Array) throw new ImportFormatException($"Item {id}: 'kids' must be a list of items.");
            var i = 0;
            foreach (var kid in kids.EnumerateArray())
            {
                if (kid.ValueKind == JsonValueKind.Number)
                    throw new ImportFormatException($"Item {id}: kids[{i}] is the id {kid.GetRawText()}, not an item: 'kids' must hold the nested items themselves (fetch and nest them before importing).");
                if (kid.ValueKind != JsonValueKind.Object) throw new ImportFormatException($"Item {id}: kids[{i}] must be an item (a JSON object).");
                Comment(kid, $"kids[{i}] of item {id}", parentKey, depth);
                i++;
            }
        }

        private void Comment(JsonElement item, string where, string? parentKey, int depth)
        {
            var id = IdOf(item, where);
            if (!Ids.Add(id)) throw new ImportFormatException($"Item {id} appears twice.");
            var type = StringOf(item, "type", id);
            if (type is not (null or "comment")) throw new ImportFormatException($"Item {id} is a '{type}': replies must be comments.");
            var gone = IsTrue(item, "deleted", id) || IsTrue(item, "dead", id);
            var body = gone ? "" : HtmlText.ToPlainText(StringOf(item, "text", id));
            var author = StringOf(item, "by", id);
            var time = TimeOf(item, id);
            if (body.Length == 0)
            {
                Skipped++;
                Kids(item, id, parentKey, depth);
                return;
            }
            var key = "hn-" + id.ToString(CultureInfo.InvariantCulture);
            Kept.Add((new ImportedComment(key, parentKey, ImportedAuthor.Of(author, Source), ImportBody.Fit(body, ref Truncated), time), depth));
            Kids(item, id, key, depth + 1);
        }
    }

    private static long IdOf(JsonElement item, string where) =>
        item.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var id) && id > 0
            ? id
            : throw new ImportFormatException($"{where}: 'id' must be a positive whole number.");

    private static string? StringOf(JsonElement item, string name, long id) =>
        !item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new ImportFormatException($"Item {id}: '{name}' must be a string.");

    private static bool IsTrue(JsonElement item, string name, long id) =>
        item.TryGetProperty(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new ImportFormatException($"Item {id}: '{name}' must be true or false."),
        };

    private static DateTimeOffset? TimeOf(JsonElement item, long id)
    {
        if (!item.TryGetProperty("time", out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && seconds >= 0 && seconds <= MaxUnixSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ImportFormatException($"Item {id}: 'time' must be Unix time in whole seconds.");
    }
}
