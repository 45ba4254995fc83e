using Microsoft.Playwright;
using Xunit;

namespace Chat.Browser.Tests;

/// <summary>One person: a browser context with its own cookies, one page, and the user name.</summary>
public sealed class SignedInBrowser : IAsyncDisposable
{
    private readonly List<string> _pageErrors = [];

    public SignedInBrowser(IBrowserContext context, IPage page, string userName)
    {
        Context = context;
        Page = page;
        UserName = userName;
        // Uncaught exceptions in the page's scripts: a real browser finds what jsdom did not.
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add(error); };
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public string UserName { get; }

    /// <summary>Opens /t/{id} and waits until the live connection has joined the thread.</summary>
    public async Task OpenThreadAsync(string threadId)
    {
        await Page.GotoAsync($"/t/{threadId}");
        await ThreadPage.ExpectConnectedAsync(Page);
    }

    public void AssertNoScriptErrors()
    {
        lock (_pageErrors) Assert.True(_pageErrors.Count == 0, $"{UserName}'s page threw: {string.Join(" | ", _pageErrors)}");
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
