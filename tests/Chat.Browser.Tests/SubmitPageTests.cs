using System.Net.Http.Json;
using Chat.Contracts;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class SubmitPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Submitting_again_after_a_lost_answer_opens_the_thread_that_was_stored_and_creates_no_second_one()
    {
        await using var person = await fixture.SignedUpAsync();
        var title = "Submitted once " + Guid.NewGuid().ToString("N")[..8];
        // The first submission reaches the server and is stored, but its answer never reaches the
        // page (a dropped connection): the page says so, and the person presses submit again.
        var lost = 0;
        await person.Page.RouteAsync("**/api/threads", async route =>
        {
            if (route.Request.Method == "POST" && Interlocked.Increment(ref lost) == 1)
            {
                await route.FetchAsync();
                await route.AbortAsync("connectionreset");
                return;
            }
            await route.ContinueAsync();
        });

        await person.Page.GotoAsync("/submit");
        await person.Page.Locator("#submit-title").FillAsync(title);
        await person.Page.Locator("#submit-button").ClickAsync();
        await Expect(person.Page.Locator("#submit-error")).Not.ToBeEmptyAsync(new() { Timeout = 5000 });
        await person.Page.Locator("#submit-button").ClickAsync();

        await Expect(person.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/t/[a-z0-9]{12}$"), new() { Timeout = 10_000 });
        await Expect(person.Page.Locator("#thread-title")).ToHaveTextAsync(title);
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var threads = await http.GetFromJsonAsync<ThreadSummary[]>("/api/threads?sort=new&limit=500", ChatApiClient.Json);
        Assert.Single(threads!, t => t.Title == title);
        Assert.Equal(person.Page.Url.Split('/')[^1], threads!.Single(t => t.Title == title).Id);
        Assert.Equal(2, lost);
    }
}
