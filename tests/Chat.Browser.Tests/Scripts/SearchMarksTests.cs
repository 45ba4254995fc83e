using System.Text.Json;
using Jint;
using Xunit;

namespace Chat.Browser.Tests.Scripts;

/// <summary>
/// The search page's marking module (wwwroot/js/search-marks.js) in Jint, with a stand-in document
/// that records what it is asked to build: text nodes and &lt;mark&gt;s, from the ranges only, and
/// ranges it cannot trust skipped.
/// </summary>
[Trait("Lane", Lanes.Pure)]
public sealed class SearchMarksTests
{
    private static readonly string ModulePath = Path.Combine(RepoPaths.Root, "src", "Chat.Web", "wwwroot", "js", "search-marks.js");

    private const string Glue = """
        import { markedText } from 'marks';
        globalThis.document = {
          createTextNode: text => ({ text }),
          createElement: tag => ({ tag, textContent: '' }),
        };
        export const mark = (text, ranges) => JSON.stringify(markedText(text, JSON.parse(ranges))
          .map(n => n.tag ? '[' + n.tag + ':' + n.textContent + ']' : n.text));
        """;

    private static string[] Mark(string text, string rangesJson)
    {
        var engine = new Engine();
        engine.Modules.Add("marks", File.ReadAllText(ModulePath));
        engine.Modules.Add("glue", Glue);
        var module = engine.Modules.Import("glue");
        return JsonSerializer.Deserialize<string[]>(module.Get("mark").Call(text, rangesJson).AsString())!;
    }

    [Fact]
    public void Ranges_become_marks_and_the_rest_stays_text()
    {
        Assert.Equal(["say ", "[mark:hello]", " and ", "[mark:bye]"], Mark("say hello and bye", """[{"start":4,"length":5},{"start":14,"length":3}]"""));
    }

    [Fact]
    public void Markup_in_the_text_is_text()
    {
        Assert.Equal(["[mark:<img src=x onerror=alert(1)>]", " word"], Mark("<img src=x onerror=alert(1)> word", """[{"start":0,"length":28}]"""));
    }

    [Theory]
    [InlineData("""[{"start":-1,"length":2}]""")]
    [InlineData("""[{"start":3,"length":50}]""")]
    [InlineData("""[{"start":"1","length":"x"}]""")]
    [InlineData("""[{"start":1.5,"length":1}]""")]
    [InlineData("""[null, 7, "a"]""")]
    [InlineData("""{"start":0,"length":2}""")]
    [InlineData("null")]
    public void Ranges_out_of_bounds_or_malformed_are_skipped(string ranges)
    {
        Assert.Equal(["abcdef"], Mark("abcdef", ranges));
    }

    [Fact]
    public void Overlapping_ranges_mark_the_first_only_in_order()
    {
        Assert.Equal(["a", "[mark:bcd]", "ef"], Mark("abcdef", """[{"start":2,"length":2},{"start":1,"length":3}]"""));
    }
}
