using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Web.Tests;

/// <summary>
/// The server-to-client event names: <see cref="IDiscussionClient"/>'s method names are the names on
/// the wire, and every list of them elsewhere must say the same.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed partial class EventNameTests(WebFixture fixture)
{
    private static readonly string[] Events = [.. typeof(IDiscussionClient).GetMethods().Select(m => m.Name).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The .NET SignalR client matches an event name exactly: a handler registered as "comments"
    /// never hears "Comments". (The JavaScript client lowercases both sides, so pages match either
    /// way.) Both handlers are registered before anything is pushed, the lowercase one first: the
    /// client runs the handlers of one message in order, so once the exact one has run, a
    /// case-insensitive match would have run already.
    /// </summary>
    [Fact]
    public async Task The_dotnet_client_matches_event_names_case_sensitively()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await poster.CreateThreadAsync();
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(fixture.BaseAddress, "/hubs/discussion")).Build();
        var lowercase = new ConcurrentQueue<long>();
        var exact = new ConcurrentQueue<long>();
        connection.On<string, Comment[]>("comments", (_, batch) => { foreach (var c in batch) lowercase.Enqueue(c.Seq); });
        connection.On<string, Comment[]>(nameof(IDiscussionClient.Comments), (_, batch) => { foreach (var c in batch) exact.Enqueue(c.Seq); });
        await connection.StartAsync();
        await connection.InvokeAsync<System.Text.Json.JsonElement>("JoinThread", threadId, 0L);

        var seq = await poster.PostCommentSeqAsync(threadId, 0, "Named exactly");

        await Eventually.True(() => exact.Contains(seq), TimeSpan.FromSeconds(20), "the exactly named handler gets the comment");
        Assert.Empty(lowercase);
    }

    /// <summary>
    /// The pages' list of event names (src/Chat.Web/wwwroot/js/events.js:
    /// <c>export const ServerEvents = Object.freeze({ comments: 'Comments', … });</c>, key the
    /// camelCase name, value the exact method name) names exactly IDiscussionClient's methods.
    /// MERGE NOTE: events.js comes from the front-end branch; until that is merged this test fails
    /// with "events.js not found".
    /// </summary>
    [Fact]
    public void The_pages_list_of_events_is_exactly_the_hub_client_interface()
    {
        var path = Path.Combine(RepoPaths.Root, "src", "Chat.Web", "wwwroot", "js", "events.js");
        Assert.True(File.Exists(path), $"events.js not found at {path} (it comes with the front-end branch).");
        var source = File.ReadAllText(path);
        var body = ServerEventsRegex().Match(source);
        Assert.True(body.Success, "events.js does not declare `export const ServerEvents = Object.freeze({ ... });`.");
        var entries = EntryRegex().Matches(body.Groups["entries"].Value).Select(m => (Key: m.Groups["key"].Value, Value: m.Groups["value"].Value)).ToList();

        Assert.Equal(Events, entries.Select(e => e.Value).Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal(char.ToLowerInvariant(e.Value[0]) + e.Value[1..], e.Key));
    }

    [GeneratedRegex(@"export\s+const\s+ServerEvents\s*=\s*Object\.freeze\(\s*\{(?<entries>[^}]*)\}\s*\)", RegexOptions.Singleline)]
    private static partial Regex ServerEventsRegex();

    [GeneratedRegex(@"(?<key>[A-Za-z_$][\w$]*)\s*:\s*['""](?<value>[^'""]*)['""]")]
    private static partial Regex EntryRegex();
}
