using System.Text.RegularExpressions;

namespace Chat.TestSupport;

/// <summary>
/// Settings as k8s/base deploys them, read from its ConfigMaps, so that failover tests measure what
/// production runs rather than a copy that drifts from it.
/// </summary>
public static partial class ProductionSettings
{
    /// <summary>The Chat__Membership__* entries of k8s/base/silo-configmap.yaml, as environment variables.</summary>
    public static IReadOnlyDictionary<string, string> Membership { get; } = Read("Chat__Membership__");

    private static Dictionary<string, string> Read(string prefix)
    {
        var path = Path.Combine(RepoPaths.Root, "k8s", "base", "silo-configmap.yaml");
        var entries = File.ReadLines(path)
            .Select(line => Entry().Match(line))
            .Where(m => m.Success && m.Groups["key"].Value.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
        if (entries.Count == 0) throw new InvalidOperationException($"{path} sets no {prefix}* key.");
        return entries;
    }

    // "  Chat__Membership__ProbeTimeout: "00:00:01"" (a flat ConfigMap data entry, value quoted or not).
    [GeneratedRegex("""^\s+(?<key>[A-Za-z_]+):\s*"?(?<value>[^"#]*?)"?\s*(#.*)?$""")]
    private static partial Regex Entry();
}
