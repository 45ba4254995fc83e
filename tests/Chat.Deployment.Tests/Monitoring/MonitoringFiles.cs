using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Chat.Deployment.Tests.Monitoring;

/// <summary>
/// What k8s/monitoring ships (the scrape job, the alert rules and their tests, the Grafana
/// dashboard), and the PromQL expressions in them.
/// </summary>
public static partial class MonitoringFiles
{
    public static string Directory { get; } = Path.Combine(RepoPaths.Root, "k8s", "monitoring");
    public static string ScrapeConfig => Path.Combine(Directory, "prometheus-scrape.yml");
    public const string RulesFile = "chat-alerts.rules.yml";
    public const string RuleTestsFile = "chat-alerts.test.yml";
    public static string Rules => Path.Combine(Directory, RulesFile);
    public static string Dashboard => Path.Combine(Directory, "chat-dashboard.json");

    /// <summary>The one scrape job the chat pods need, as shipped.</summary>
    public static Dictionary<object, object> ScrapeJob()
    {
        var config = (Dictionary<object, object>)new Deserializer().Deserialize<object>(File.ReadAllText(ScrapeConfig));
        var jobs = (List<object>)config["scrape_configs"];
        return (Dictionary<object, object>)Assert.Single(jobs);
    }

    /// <summary>Each alert's name and expression.</summary>
    public static IReadOnlyList<(string Alert, string Expr)> AlertExpressions()
    {
        var rules = (Dictionary<object, object>)new Deserializer().Deserialize<object>(File.ReadAllText(Rules));
        return ((List<object>)rules["groups"]).Cast<Dictionary<object, object>>()
            .SelectMany(g => ((List<object>)g["rules"]).Cast<Dictionary<object, object>>())
            .Select(r => ((string)r["alert"], (string)r["expr"]))
            .ToList();
    }

    /// <summary>Each dashboard query, with the title of its panel.</summary>
    public static IReadOnlyList<(string Panel, string Expr)> DashboardExpressions()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Dashboard))!;
        return dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]!.AsArray().Select(t => (p["title"]!.GetValue<string>(), t!["expr"]!.GetValue<string>())))
            .ToList();
    }

    /// <summary>
    /// The metric names a PromQL expression reads: identifiers that are not functions, keywords,
    /// label names in by/without/on/ignoring lists, or inside label matchers, strings or durations.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string promql)
    {
        var text = StringLiteral().Replace(promql, " ");
        text = LabelMatchers().Replace(text, " ");
        text = GroupingLists().Replace(text, " ");
        text = GrafanaVariable().Replace(text, " ");
        text = RangeSelector().Replace(text, " ");
        return Identifier().Matches(text)
            .Where(m => !Keywords.Contains(m.Value) && !IsFunctionCall(text, m))
            .Select(m => m.Value)
            .ToHashSet();
    }

    private static readonly HashSet<string> Keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool"];

    private static bool IsFunctionCall(string text, Match identifier)
    {
        var after = text.AsSpan(identifier.Index + identifier.Length).TrimStart();
        return after.Length > 0 && after[0] == '(';
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingLists();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    /// <summary>For the assertion messages.</summary>
    public static string Describe(JsonElement element) => JsonSerializer.Serialize(element);
}
