using System.Net.Http.Json;
using System.Text.Json;

namespace Chat.Security.Tests;

/// <summary>
/// Azurite and one web host for the fuzzers, plus what they aim at: a signed-in fuzzing user, a
/// "target" thread that valid-looking posts may really add to, and a "victim" thread that only ever
/// gets invalid input and must stay byte-identical.
/// </summary>
public sealed class FuzzFixture : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = null!;
    public InProcessWebHost Host { get; private set; } = null!;
    public Uri BaseAddress => Host.BaseAddress;
    public ChatApiClient User { get; private set; } = null!;
    public string TargetThreadId { get; private set; } = "";
    public string VictimThreadId { get; private set; } = "";

    /// <summary>The value of the auth cookie of <see cref="User"/>, for requests made by hand.</summary>
    public string AuthCookie { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync();
        Host = await InProcessWebHost.StartAsync(Azurite.ConnectionString);
        User = await ChatApiClient.SignedUpAsync(BaseAddress);
        AuthCookie = User.Cookies.GetCookies(BaseAddress)["chat.auth"]!.Value;
        TargetThreadId = await User.CreateThreadAsync("Fuzz target", body: "valid posts may land here");
        VictimThreadId = await User.CreateThreadAsync("Fuzz victim", "https://example.com/victim", "only invalid input reaches this thread");
        var first = await User.PostCommentSeqAsync(VictimThreadId, 0, "first");
        await User.PostCommentSeqAsync(VictimThreadId, first, "a reply");
        await User.PostCommentSeqAsync(TargetThreadId, 0, "seeded");
        // The front page hears of comment counts through throttled one-way updates: wait until it
        // shows the seeded comments, so that a late update is not mistaken for a change by the fuzzer.
        using var http = new HttpClient { BaseAddress = BaseAddress };
        await Eventually.True(async () =>
        {
            var list = await http.GetFromJsonAsync<JsonElement[]>("/api/threads?sort=new&limit=500");
            return list!.Any(t => t.GetProperty("id").GetString() == VictimThreadId && t.GetProperty("commentCount").GetInt32() == 2);
        }, TimeSpan.FromSeconds(30), "the front page shows the victim thread's 2 comments");
    }

    /// <summary>The victim thread as the API shows it, byte for byte: metadata and every comment.</summary>
    public async Task<string> VictimSnapshotAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        return await http.GetStringAsync($"/api/threads/{VictimThreadId}") + "\n" +
               await http.GetStringAsync($"/api/threads/{VictimThreadId}/comments?after=0&limit=1000");
    }

    /// <summary>The front page (all of it), minus the target thread, whose comment count may grow.</summary>
    public async Task<string[]> FrontPageSnapshotAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        var list = await http.GetFromJsonAsync<JsonElement[]>("/api/threads?sort=new&limit=500");
        return list!.Where(t => t.GetProperty("id").GetString() != TargetThreadId).Select(t => t.GetRawText()).ToArray();
    }

    public async Task DisposeAsync()
    {
        User?.Dispose();
        await Host.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
