using System.Reflection;
using System.Text.RegularExpressions;
using Chat.Contracts;
using Chat.Grains;
using Chat.ServiceDefaults;
using Chat.Web.Hosting;
using Orleans.Configuration;

namespace Chat.Deployment.Tests;

/// <summary>
/// docs/operations.md's "Configuration keys" is the one table of our keys: every key of every
/// options class bound under "Chat" is in it, and every key in it belongs to one. The options classes
/// are found by reflection (a public const Section under "Chat" in our assemblies), so a new class
/// or property is caught without editing this test.
/// </summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class ConfigurationTableTests
{
    /// <summary>Options classes that are not ours, bound whole under a section of ours: the table has one "Section:*" row for each.</summary>
    private static readonly (string Section, Type Options)[] Foreign = [("Chat:Membership", typeof(ClusterMembershipOptions))];

    private static readonly Assembly[] Ours =
        [typeof(LimitsOptions).Assembly, typeof(ThreadGrainOptions).Assembly, typeof(ChatClusterOptions).Assembly, typeof(ChatWebOptions).Assembly];

    [Fact]
    public void Every_key_of_an_options_class_is_in_the_table()
    {
        var table = TableKeys();
        var missing = OptionsKeys().Where(key => !table.Contains(key)).ToList();
        Assert.True(missing.Count == 0, "docs/operations.md, \"Configuration keys\", lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_key_in_the_table_belongs_to_an_options_class()
    {
        var known = OptionsKeys().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = TableKeys().Where(key => !known.Contains(key)).ToList();
        Assert.True(unknown.Count == 0, "docs/operations.md, \"Configuration keys\", has keys no options class binds: " + string.Join(", ", unknown));
    }

    [Fact]
    public void The_options_classes_found_include_every_section_the_hosts_bind()
    {
        var sections = OptionsSections().Select(s => s.Section).ToHashSet();
        foreach (var section in new[] { "Chat", "Chat:Storage", "Chat:Cluster", "Chat:Silo", "Chat:Threads", "Chat:FrontPage", "Chat:Inbox", "Chat:Moderation", "Chat:Limits", "Chat:Relay", "Chat:Pages", "Chat:Web" })
            Assert.Contains(section, sections);
    }

    private static IEnumerable<(string Section, Type Options)> OptionsSections() =>
        Ours.SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.EndsWith("Options", StringComparison.Ordinal))
            .Select(t => (Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string, Options: t))
            .Where(s => s.Section is "Chat" || s.Section?.StartsWith("Chat:", StringComparison.Ordinal) == true)
            .Select(s => (s.Section!, s.Options));

    private static IEnumerable<string> OptionsKeys() =>
        OptionsSections()
            .SelectMany(s => s.Options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                .Select(p => $"{s.Section}:{p.Name}"))
            .Concat(Foreign.Select(f => $"{f.Section}:*"))
            .Distinct(StringComparer.OrdinalIgnoreCase);

    /// <summary>The first column's keys of the table under "## Configuration keys".</summary>
    private static HashSet<string> TableKeys()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "docs", "operations.md"));
        var start = Array.IndexOf(lines, "## Configuration keys");
        Assert.True(start >= 0, "docs/operations.md has no \"## Configuration keys\" section");
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
        {
            if (!line.StartsWith('|')) continue;
            var first = line.Split('|')[1];
            foreach (Match key in Regex.Matches(first, @"`(Chat[^`]*)`")) keys.Add(key.Groups[1].Value);
        }
        Assert.NotEmpty(keys);
        return keys;
    }
}
