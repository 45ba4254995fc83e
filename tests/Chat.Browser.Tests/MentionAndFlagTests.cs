using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Xunit;
using static Chat.Browser.Tests.Waits;
using static Microsoft.Playwright.Assertions;

namespace Chat.Browser.Tests;

/// <summary>
/// What people do with mentions and flags: "@bob" reaches bob live and links to his page; readers
/// flag (from the keyboard too), the comment leaves every open page, lands on every moderator's
/// /mod page, and a moderator's decision empties the queue on every /mod page, live.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Lane", Lanes.Browser)]
public sealed class MentionAndFlagTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Alice_mentions_bob_and_bobs_inbox_count_rises_live_the_mention_links_to_his_page_and_nobody_is_plain_text()
    {
        var (_, threadId) = await fixture.NewThreadAsync("Who knows this?");
        await using var bob = await fixture.SignedUpAsync();
        await bob.Page.GotoAsync("/");
        await Expect(bob.Page.Locator("body[data-inbox=live]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(bob.Page.Locator("#inbox-link")).ToHaveTextAsync("inbox");
        await using var alice = await fixture.SignedUpAsync();
        await alice.OpenThreadAsync(threadId);

        await ThreadPage.PostTopLevelAsync(alice.Page, $"@{bob.UserName} might know, @nobodyhere does not exist, mail x@{bob.UserName}.org");

        var comment = alice.Page.Locator("#comments .comment", new() { HasText = "might know" });
        var mention = comment.Locator(".body a.mention");
        await Expect(mention).ToHaveCountAsync(1, new() { Timeout = 5000 });
        await Expect(mention).ToHaveTextAsync("@" + bob.UserName);
        await Expect(mention).ToHaveAttributeAsync("href", "/u/" + bob.UserName);
        await Expect(bob.Page.Locator("#inbox-link")).ToHaveTextAsync("inbox (1)", Within10s);

        await bob.Page.Locator("#inbox-link").ClickAsync();
        var item = bob.Page.Locator("#inbox-items .inbox-item");
        await Expect(item).ToHaveCountAsync(1, new() { Timeout = 5000 });
        await Expect(item.Locator(".subtext")).ToContainTextAsync($"{alice.UserName} mentioned you on Who knows this?");
        await mention.ClickAsync();
        await Expect(alice.Page).ToHaveURLAsync(new Regex($"/u/{bob.UserName}$"));
        alice.AssertNoScriptErrors();
        bob.AssertNoScriptErrors();
    }

    [Fact]
    public async Task Three_flags_hide_a_comment_live_it_appears_on_two_moderators_queues_and_their_decisions_empty_both_live()
    {
        var (author, threadId) = await fixture.NewThreadAsync("A thread with a troll");
        var restored = await author.PostCommentSeqAsync(threadId, 0, "Borderline remark number one.");
        var dismissed = await author.PostCommentSeqAsync(threadId, 0, "Borderline remark number two.");
        await using var reader = await fixture.SignedUpAsync();
        await reader.OpenThreadAsync(threadId);
        await using var mod1 = await fixture.ModeratorAsync();
        await using var mod2 = await fixture.ModeratorAsync(TestSettings.SecondModeratorName);
        foreach (var mod in new[] { mod1, mod2 })
        {
            await mod.Page.GotoAsync("/mod");
            await Expect(mod.Page.Locator("body[data-mod-queue=live]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        }

        // The first flagger uses the keyboard only: focus "flag", Enter, pick a reason, "flag it".
        await using var flagger = await fixture.SignedUpAsync();
        await flagger.OpenThreadAsync(threadId);
        foreach (var seq in new[] { restored, dismissed })
        {
            await flagger.Page.Locator($"#c{seq} > .comhead .flag-toggle").FocusAsync();
            await flagger.Page.Keyboard.PressAsync("Enter");
            var select = flagger.Page.Locator($"#c{seq} > .comhead .flag-reason");
            await Expect(select).ToBeFocusedAsync();
            await select.SelectOptionAsync("abuse");
            await flagger.Page.Keyboard.PressAsync("Tab");
            await Expect(flagger.Page.Locator($"#c{seq} > .comhead .flag-submit")).ToBeFocusedAsync();
            await flagger.Page.Keyboard.PressAsync("Enter");
            await Expect(flagger.Page.Locator($"#c{seq} > .comhead .flagged")).ToBeFocusedAsync();
        }
        var others = new List<ChatApiClient>();
        for (var i = 0; i < 2; i++)
        {
            var other = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
            others.Add(other);
            foreach (var seq in new[] { restored, dismissed })
                (await other.Http.PostAsJsonAsync($"/api/threads/{threadId}/comments/{seq}/flag", new { reason = i == 0 ? "spam" : "other" })).EnsureSuccessStatusCode();
        }

        await Expect(reader.Page.Locator($"#c{restored}")).ToBeHiddenAsync(new() { Timeout = 10_000 });
        await Expect(reader.Page.Locator($"#c{dismissed}")).ToBeHiddenAsync(new() { Timeout = 10_000 });
        foreach (var mod in new[] { mod1, mod2 })
        {
            var entry = mod.Page.Locator($"#f-{threadId}-{restored}");
            await Expect(entry).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Expect(entry.Locator(".body")).ToHaveTextAsync("Borderline remark number one.");
            await Expect(entry.Locator(".mod-flag .author")).ToHaveTextAsync([flagger.UserName, others[0].UserName!, others[1].UserName!]);
            await Expect(entry.Locator(".mod-flag .flag-reason")).ToHaveTextAsync(["abuse", "spam", "other"]);
            await Expect(entry.Locator(".mod-state")).ToHaveTextAsync("hidden by flags");
            await Expect(mod.Page.Locator($"#f-{threadId}-{dismissed}")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        }

        // Moderator 1 restores from the keyboard; moderator 2 dismisses with the mouse.
        await mod1.Page.Locator($"#f-{threadId}-{restored} .mod-restore").FocusAsync();
        await mod1.Page.Keyboard.PressAsync("Enter");
        await mod2.Page.Locator($"#f-{threadId}-{dismissed} .mod-dismiss").ClickAsync();

        foreach (var mod in new[] { mod1, mod2 })
        {
            await Expect(mod.Page.Locator($"#f-{threadId}-{restored}")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
            await Expect(mod.Page.Locator($"#f-{threadId}-{dismissed}")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        }
        await Expect(reader.Page.Locator($"#c{restored} > .body")).ToHaveTextAsync("Borderline remark number one.", Within10s);
        await Expect(reader.Page.Locator($"#c{dismissed}")).ToBeHiddenAsync();
        foreach (var person in new[] { reader, flagger, mod1, mod2 }) person.AssertNoScriptErrors();
        foreach (var other in others) other.Dispose();
    }

    [Fact]
    public async Task Mod_tells_a_reader_it_is_for_moderators_and_a_signed_out_visitor_to_sign_in_and_shows_neither_the_queue()
    {
        await fixture.NewThreadAsync(); // someone else signed up first: the first account ever is a moderator
        await using var reader = await fixture.SignedUpAsync();
        await reader.Page.GotoAsync("/mod");
        await Expect(reader.Page.Locator("#status")).ToHaveTextAsync("Only moderators can see flagged comments.", Within10s);
        await Expect(reader.Page.Locator("#mod-queue")).ToBeHiddenAsync();
        await Expect(reader.Page.Locator("#mod-link")).ToHaveCountAsync(0);

        var context = await fixture.NewContextAsync();
        var visitor = await context.NewPageAsync();
        await visitor.GotoAsync("/mod");
        await Expect(visitor.Locator("#status a")).ToHaveAttributeAsync("href", new Regex("^/login\\?return=%2Fmod$"));
        await Expect(visitor.Locator("#mod-queue")).ToBeHiddenAsync();
        await context.DisposeAsync();
        reader.AssertNoScriptErrors();
    }
}
