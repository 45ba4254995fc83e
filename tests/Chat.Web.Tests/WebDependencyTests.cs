using System.Text.RegularExpressions;

namespace Chat.Web.Tests;

/// <summary>
/// The web node depends on the contracts and the shared hosting (Chat.ServiceDefaults) only, never on
/// the grains' code: in Client topology it runs no grains, and what both need (LimitsOptions,
/// TokenBucket, PostStages, the meter's name) lives in Chat.Contracts. Chat.Grains still reaches the
/// web host's build through Chat.ServiceDefaults, whose AddChatSilo co-hosts a silo; that is the one
/// way in. A source scan, so that a fully qualified name counts as much as a using.
/// </summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class WebDependencyTests
{
    [Fact]
    public void No_source_file_of_Chat_Web_names_Chat_Grains()
    {
        var web = Path.Combine(RepoPaths.Root, "src", "Chat.Web");
        var offenders = Directory.EnumerateFiles(web, "*.cs", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(web, file))
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(l => Regex.IsMatch(l.line, @"\bChat\.Grains\b"))
            .Select(l => $"{Path.GetRelativePath(RepoPaths.Root, l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Chat.Web names Chat.Grains; move what both need to Chat.Contracts or Chat.ServiceDefaults:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Chat_Web_has_no_project_reference_to_Chat_Grains()
    {
        var project = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "Chat.Web", "Chat.Web.csproj"));
        Assert.DoesNotContain("Chat.Grains", project);
    }

    private static bool IsBuildOutput(string root, string file)
    {
        var first = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }
}
