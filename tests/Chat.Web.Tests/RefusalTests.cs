using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Tests;

/// <summary>
/// What a person reads when the site refuses bad input, over HTTP (status and problem detail) and
/// over the hub (the HubException's message): every check the application layer makes, with its
/// exact words. Each test collects every mismatch before failing, so one run shows them all.
/// </summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class RefusalTests(WebFixture fixture)
{
    private const string BadId = "NOT-AN-ID";
    private static readonly string ClientIdRule = $"clientId must be 1 to {Limits.ClientIdMaxLength} characters (a random id per post, reused when retrying it).";
    private const string ThreadIdRule = "Thread id must be 12 characters of a-z and 0-9.";

    [Fact]
    public async Task HTTP_refusals_say_what_is_wrong_with_the_right_status()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        using var moderator = await ChatApiClient.SignedInAsync(fixture.BaseAddress, TestSettings.ModeratorName);
        var t = await user.CreateThreadAsync("Refusals");
        var longBody = new string('x', Limits.BodyMaxLength + 1);
        (string What, Func<Task<HttpResponseMessage>> Send, int Status, string Detail)[] cases =
        [
            ("bad sort", () => user.Http.GetAsync("/api/threads?sort=best"), 400, "sort must be 'hot' or 'new'."),
            ("bad list limit", () => user.Http.GetAsync("/api/threads?limit=0"), 400, "limit must be 1 to 500."),
            ("empty title", () => user.Http.PostAsJsonAsync("/api/threads", new { title = " " }), 400, "Title is empty."),
            ("script url", () => user.Http.PostAsJsonAsync("/api/threads", new { title = "x", url = "javascript:alert(1)" }), 400, "URL must be an absolute http:// or https:// address."),
            ("long thread body", () => user.Http.PostAsJsonAsync("/api/threads", new { title = "x", body = longBody }), 400, $"Comment is too long: {longBody.Length} characters, at most {Limits.BodyMaxLength}."),
            ("empty thread clientId", () => user.Http.PostAsJsonAsync("/api/threads", new { title = "x", clientId = "" }), 400, ClientIdRule),
            ("malformed thread id", () => user.Http.GetAsync($"/api/threads/{BadId}"), 404, $"Thread {BadId} does not exist."),
            ("unknown thread", () => user.Http.GetAsync("/api/threads/aaaaaaaaaaaa"), 404, "Thread aaaaaaaaaaaa does not exist."),
            ("negative after", () => user.Http.GetAsync($"/api/threads/{t}/comments?after=-1"), 400, "after must be 0 or more."),
            ("bad page limit", () => user.Http.GetAsync($"/api/threads/{t}/comments?limit=0"), 400, $"limit must be 1 to {Limits.MaxPageSize}."),
            ("post to malformed id", () => user.PostCommentAsync(BadId, 0, "hi"), 404, $"Thread {BadId} does not exist."),
            ("empty comment", () => user.PostCommentAsync(t, 0, ""), 400, "Comment is empty."),
            ("empty clientId", () => user.Http.PostAsJsonAsync($"/api/threads/{t}/comments", new { parentSeq = 0, body = "hi", clientId = "" }), 400, ClientIdRule),
            ("empty edit", () => user.Http.PutAsJsonAsync($"/api/threads/{t}/comments/1", new { body = "" }), 400, "Comment is empty."),
            ("negative vote seq", () => user.Http.PostAsync($"/api/threads/{t}/comments/-1/vote", null), 404, "There is no comment -1 in this thread."),
            ("lock as a user", () => user.Http.PostAsync($"/api/threads/{BadId}/lock", null), 403, "Only moderators can lock threads and hide comments."),
            ("lock a malformed id", () => moderator.Http.PostAsync($"/api/threads/{BadId}/lock", null), 404, $"Thread {BadId} does not exist."),
        ];

        var mismatches = new List<string>();
        foreach (var (what, send, status, detail) in cases)
        {
            var response = await send();
            var got = ((int)response.StatusCode, (int)response.StatusCode >= 400 ? await DetailOf(response) : "(no problem)");
            if (got != (status, detail)) mismatches.Add($"{what}: expected {status} \"{detail}\", got {got.Item1} \"{got.Item2}\"");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task Hub_refusals_say_what_is_wrong()
    {
        using var user = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var t = await user.CreateThreadAsync("Hub refusals");
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, t, user.Token);
        (string Method, object?[] Args, string Message)[] cases =
        [
            ("JoinThread", [BadId, 0L], ThreadIdRule),
            ("JoinThread", [t, -1L], "afterSeq must be 0 or more."),
            ("JoinThread", ["aaaaaaaaaaaa", 0L], "Thread aaaaaaaaaaaa does not exist."),
            ("LeaveThread", [BadId], ThreadIdRule),
            ("PostComment", [BadId, 0L, "hi", "c1"], ThreadIdRule),
            ("PostComment", [t, 0L, "", "c1"], "Comment is empty."),
            ("PostComment", [t, 0L, "hi", ""], ClientIdRule),
            ("EditComment", [t, 1L, " "], "Comment is empty."),
            ("DeleteComment", [BadId, 1L], ThreadIdRule),
            ("Vote", [t, -1L, true], "seq must be 0 (the thread) or a comment's seq."),
            ("Typing", [t, -1L], "parentSeq must be 0 (top level) or a comment's seq."),
            ("JoinFrontPage", ["best"], "sort must be 'hot' or 'new'."),
        ];

        var mismatches = new List<string>();
        foreach (var (method, args, message) in cases)
        {
            try
            {
                await reader.Connection.InvokeCoreAsync(method, typeof(object), args);
                mismatches.Add($"{method}: not refused");
            }
            catch (HubException ex) when (ex.Message.EndsWith("HubException: " + message, StringComparison.Ordinal)) { }
            catch (HubException ex) { mismatches.Add($"{method}({string.Join(", ", args)}): expected \"{message}\", got \"{ex.Message}\""); }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
