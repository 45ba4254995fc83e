using Microsoft.Playwright;
using Xunit;

namespace Chat.Browser.Tests;

/// <summary>
/// Started once for all browser tests: a real Azurite, the real web app on real Kestrel, and
/// Debian's Chromium driven by Playwright. Tests make their own users and threads, so they share
/// nothing but these processes.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Password = "correct horse battery";

    private AzuriteServer? _azurite;
    private InProcessWebHost? _host;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri BaseAddress => _host!.BaseAddress;
    public IBrowser Browser => _browser!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _host = await InProcessWebHost.StartAsync(_azurite.ConnectionString);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    public static string NewUserName() => "u" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A fresh browser context (its own cookie jar = its own person) on the app.</summary>
    public Task<IBrowserContext> NewContextAsync() =>
        Browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString(), ViewportSize = new() { Width = 1100, Height = 800 } });

    /// <summary>
    /// A person with a fresh account, signed in the way the page's own "create account" form does
    /// it: POST /api/auth/register from the page's context, which sets the auth cookie for its pages.
    /// </summary>
    public async Task<SignedInBrowser> SignedUpAsync()
    {
        var context = await NewContextAsync();
        var userName = NewUserName();
        var response = await context.APIRequest.PostAsync("/api/auth/register", new() { DataObject = new { userName, password = Password } });
        Assert.True(response.Ok, $"register {userName}: {response.Status} {await response.TextAsync()}");
        var page = await context.NewPageAsync();
        return new SignedInBrowser(context, page, userName);
    }

    /// <summary>
    /// A configured moderator (<see cref="TestSettings.ModeratorName"/> unless told), signed in through
    /// the login endpoint from the page's context; registered by whichever test needs it first.
    /// </summary>
    public Task<SignedInBrowser> ModeratorAsync(string userName = TestSettings.ModeratorName) => SignedInAsync(userName);

    /// <summary>
    /// userName (registered now if nobody has yet) in a browser context of its own: the moderator, or
    /// a second device of someone who signed up in another context.
    /// </summary>
    public async Task<SignedInBrowser> SignedInAsync(string userName)
    {
        var context = await NewContextAsync();
        var credentials = new { userName, password = Password };
        var register = await context.APIRequest.PostAsync("/api/auth/register", new() { DataObject = credentials });
        Assert.True(register.Ok || register.Status == 409, $"register {userName}: {register.Status} {await register.TextAsync()}");
        // Registering may have signed the context in by cookie already: then the login is a change made
        // with a cookie, and carries the header the site's own pages send.
        var login = await context.APIRequest.PostAsync("/api/auth/login", new()
        {
            DataObject = credentials,
            Headers = new Dictionary<string, string> { ["X-Chat-Request"] = "1" },
        });
        Assert.True(login.Ok, $"log in {userName}: {login.Status} {await login.TextAsync()}");
        return new SignedInBrowser(context, await context.NewPageAsync(), userName);
    }

    /// <summary>A thread created by a separate user over the HTTP API, optionally with a first comment.</summary>
    public async Task<(ChatApiClient Author, string ThreadId)> NewThreadAsync(string title = "A thread for a browser test", string? body = null)
    {
        var author = await ChatApiClient.SignedUpAsync(BaseAddress);
        var threadId = await author.CreateThreadAsync(title, body: body);
        return (author, threadId);
    }
}
