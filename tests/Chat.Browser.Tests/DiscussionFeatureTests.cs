using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>Votes, edit, delete, collapse and permalinks on the thread page, live across pages.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DiscussionFeatureTests(BrowserFixture fixture)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Within5s = new() { Timeout = 5000 };

    [Fact]
    public async Task A_vote_on_one_page_shows_as_points_on_the_other_and_can_be_taken_back()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var seq = await author.PostCommentSeqAsync(threadId, 0, "Worth a vote.");
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var a = people[0];
        await using var b = people[1];
        await Task.WhenAll(a.OpenThreadAsync(threadId), b.OpenThreadAsync(threadId));

        var arrow = a.Page.Locator($"#c{seq} > .comhead .vote");
        await arrow.ClickAsync();

        await Expect(b.Page.Locator($"#c{seq} > .comhead .points")).ToHaveTextAsync("1 point", new() { Timeout = 5000 });
        await Expect(a.Page.Locator($"#c{seq} > .comhead .vote")).ToHaveAttributeAsync("aria-pressed", "true");
        // Keyboard: the redrawn arrow keeps focus, and Enter takes the vote back.
        await a.Page.Keyboard.PressAsync("Enter");
        await Expect(b.Page.Locator($"#c{seq} > .comhead .points")).ToHaveTextAsync("0 points", new() { Timeout = 5000 });
        await Expect(a.Page.Locator($"#c{seq} > .comhead .vote")).ToHaveAttributeAsync("aria-pressed", "false");

        // The thread's own arrow, too.
        await a.Page.Locator("#thread-meta .vote").ClickAsync();
        await Expect(b.Page.Locator("#thread-points")).ToHaveTextAsync("1 point", new() { Timeout = 5000 });
        a.AssertNoScriptErrors();
        b.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Edit_and_delete_of_own_comment_show_live_on_another_page_and_replies_stay()
    {
        var (_, threadId) = await fixture.NewThreadAsync();
        var people = await Task.WhenAll(fixture.SignedUpAsync(), fixture.SignedUpAsync());
        await using var author = people[0];
        await using var reader = people[1];
        await Task.WhenAll(author.OpenThreadAsync(threadId), reader.OpenThreadAsync(threadId));
        await ThreadPage.PostTopLevelAsync(author.Page, "First draft of my thought.");
        await Expect(reader.Page.Locator("#c1")).ToBeVisibleAsync(Within5s);
        await ThreadPage.ReplyAsync(reader.Page, 1, "A reply that must survive.");
        await Expect(author.Page.Locator("#c1 > .children > #c2")).ToBeVisibleAsync(Within5s);
        // Only one's own comments offer edit and delete.
        await Expect(reader.Page.Locator("#c1 > .comhead .edit-toggle")).ToHaveCountAsync(0);
        await Expect(author.Page.Locator("#c2 > .comhead .edit-toggle")).ToHaveCountAsync(0);

        await author.Page.Locator("#c1 > .comhead .edit-toggle").ClickAsync();
        await author.Page.Locator("#c1 > .edit-area .edit-text").FillAsync("Second, better draft.");
        await author.Page.Locator("#c1 > .edit-area .edit-submit").ClickAsync();

        await Expect(reader.Page.Locator("#c1 > .body")).ToHaveTextAsync("Second, better draft.", new() { Timeout = 5000 });
        await Expect(reader.Page.Locator("#c1 > .comhead .edited")).ToBeVisibleAsync(Within5s);
        await Expect(author.Page.Locator("#c1 > .edit-area")).ToBeHiddenAsync();

        await Expect(reader.Page.Locator("#comment-count")).ToHaveTextAsync("2 comments");
        var delete = author.Page.Locator("#c1 > .comhead .delete-button");
        await delete.ClickAsync();
        await Expect(delete).ToHaveTextAsync("really delete?");
        await delete.ClickAsync();

        foreach (var page in new[] { reader.Page, author.Page })
        {
            await Expect(page.Locator("#c1 > .comhead .author")).ToHaveTextAsync("[deleted]", new() { Timeout = 5000 });
            await Expect(page.Locator("#c1 > .body")).ToHaveTextAsync("[deleted]");
            await Expect(page.Locator("#c1 > .children > #c2 > .body")).ToHaveTextAsync("A reply that must survive.");
            await Expect(page.Locator("#comments")).Not.ToContainTextAsync("better draft");
            // The header counts what readers can see, on open pages and on a fresh load alike.
            await Expect(page.Locator("#comment-count")).ToHaveTextAsync("1 comment");
        }
        await reader.Page.ReloadAsync();
        await Expect(reader.Page.Locator("#comment-count")).ToHaveTextAsync("1 comment", new() { Timeout = 5000 });
        author.AssertNoScriptErrors();
        reader.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Collapse_hides_the_subtree_with_its_count_and_is_remembered_on_reload()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        var root = await author.PostCommentSeqAsync(threadId, 0, "Root of a subtree.");
        var child = await author.PostCommentSeqAsync(threadId, root, "Child.");
        await author.PostCommentSeqAsync(threadId, child, "Grandchild.");
        await author.PostCommentSeqAsync(threadId, root, "Second child.");
        var sibling = await author.PostCommentSeqAsync(threadId, 0, "Not in the subtree.");
        await using var person = await fixture.SignedUpAsync();
        await person.OpenThreadAsync(threadId);

        var toggle = person.Page.Locator($"#c{root} > .comhead .collapse-toggle");
        await Expect(toggle).ToHaveTextAsync("[-]");
        await toggle.FocusAsync();
        await person.Page.Keyboard.PressAsync("Enter");

        await Expect(toggle).ToHaveTextAsync("[+3]");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(person.Page.Locator($"#c{child}")).ToBeHiddenAsync();
        await Expect(person.Page.Locator($"#c{root} > .body")).ToBeHiddenAsync();
        await Expect(person.Page.Locator($"#c{sibling} > .body")).ToBeVisibleAsync();

        // A reply arriving under a collapsed comment raises its count and stays hidden.
        var late = await author.PostCommentSeqAsync(threadId, child, "Late reply.");
        await Expect(toggle).ToHaveTextAsync("[+4]", new() { Timeout = 5000 });
        await Expect(person.Page.Locator($"#c{late}")).ToBeHiddenAsync();

        await person.Page.ReloadAsync();
        await ThreadPage.ExpectConnectedAsync(person.Page);
        await Expect(toggle).ToHaveTextAsync("[+4]");
        await toggle.ClickAsync();
        await Expect(person.Page.Locator($"#c{late}")).ToBeVisibleAsync();
        person.AssertNoScriptErrors();
    }

    [Fact]
    public async Task A_permalink_scrolls_to_and_highlights_its_comment()
    {
        var (author, threadId) = await fixture.NewThreadAsync();
        for (var i = 1; i <= 60; i++) await author.PostCommentSeqAsync(threadId, 0, $"Filler comment {i}, long enough to take a line.");
        await using var person = await fixture.SignedUpAsync();

        await person.Page.GotoAsync($"/t/{threadId}#c55");
        await ThreadPage.ExpectConnectedAsync(person.Page);

        var target = person.Page.Locator("#c55");
        await Expect(target).ToHaveClassAsync(new Regex(@"\bhighlight\b"));
        await Expect(target).ToBeInViewportAsync();
        await Expect(person.Page.Locator(".comment.highlight")).ToHaveCountAsync(1);
        // The "link" of another comment moves the highlight there.
        await person.Page.Locator("#c3 > .comhead .permalink").ClickAsync();
        await Expect(person.Page.Locator("#c3")).ToHaveClassAsync(new Regex(@"\bhighlight\b"));
        await Expect(person.Page.Locator(".comment.highlight")).ToHaveCountAsync(1);
        person.AssertNoScriptErrors();
    }
}
