using Microsoft.Playwright;

namespace Chat.Browser.Tests;

/// <summary>How long tests wait for what reaches a page live from another one (pushes arrive well within).</summary>
public static class Waits
{
    public static readonly LocatorAssertionsToBeVisibleOptions Within5s = new() { Timeout = 5000 };

    public static readonly LocatorAssertionsToHaveTextOptions Within10s = new() { Timeout = 10_000 };
}
