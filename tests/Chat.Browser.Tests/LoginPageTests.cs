using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class LoginPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Creating_an_account_from_a_thread_returns_to_the_thread_with_the_comment_form()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/t/{threadId}");
        await Expect(page.Locator("#comment-form")).ToBeHiddenAsync();

        await page.Locator("#login-to-comment-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?return="));
        var userName = BrowserFixture.NewUserName();
        await page.Locator("#register-username").FillAsync(userName);
        await page.Locator("#register-password").FillAsync(BrowserFixture.Password);
        await page.Locator("#register-submit").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(fixture.BaseAddress, $"/t/{threadId}").ToString());
        await Expect(page.Locator("#comment-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#comment-text")).ToBeEditableAsync();
        await Expect(page.Locator("#me")).ToHaveTextAsync(userName);
        await Expect(page.Locator("#login-to-comment")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Logging_in_with_the_login_form_signs_in_and_a_wrong_password_is_refused()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        using var existing = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login?return=" + Uri.EscapeDataString($"/t/{threadId}"));

        await page.Locator("#login-username").FillAsync(existing.UserName!);
        await page.Locator("#login-password").FillAsync("not the password");
        await page.Locator("#login-submit").ClickAsync();
        await Expect(page.Locator("#login-error")).ToHaveTextAsync("Wrong user name or password.");

        await page.Locator("#login-password").FillAsync(BrowserFixture.Password);
        await page.Locator("#login-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Uri(fixture.BaseAddress, $"/t/{threadId}").ToString());
        await Expect(page.Locator("#me")).ToHaveTextAsync(existing.UserName!);
        await ThreadPage.ExpectConnectedAsync(page);
        await ThreadPage.PostTopLevelAsync(page, "Signed in through the login form.");
        await Expect(page.Locator("#comments .comment .author")).ToHaveTextAsync(existing.UserName!, new() { Timeout = 2000 });
    }
}
