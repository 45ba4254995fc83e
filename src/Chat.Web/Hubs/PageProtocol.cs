namespace Chat.Web.Hubs;

/// <summary>
/// What the page's JavaScript and the hub expect of each other, as one number. A page connects with
/// its own (<c>/hubs/discussion?page=N</c>, see live.js; pages of 0.1.0 send none, which reads as
/// 0). A hub that no longer serves pages below <see cref="OldestServed"/> tells such a page
/// <c>Reload</c>, and the page reloads itself, keeping the reader's place. A release that changes
/// the contract incompatibly raises <see cref="Current"/>, and a later one raises the oldest served
/// (docs/operations.md, "Upgrades"): a page of the release before must still work meanwhile.
/// </summary>
/// <param name="OldestServed">Chat:Pages:OldestProtocol (<see cref="PagesOptions"/>): pages below it are told to reload.</param>
public sealed record PageProtocol(int OldestServed)
{
    /// <summary>The protocol of the pages this release serves (PAGE_PROTOCOL in live.js).</summary>
    public const int Current = 1;

    /// <summary>The protocol the connecting page said it speaks (0: it said none, a page of 0.1.0).</summary>
    public static int OfPage(HttpContext? connect) =>
        int.TryParse(connect?.Request.Query["page"], out var protocol) && protocol >= 0 ? protocol : 0;

    public bool MustReload(HttpContext? connect) => OfPage(connect) < OldestServed;
}
