using System.Globalization;
using System.Text.RegularExpressions;

namespace Chat.LoadTests.Chaos;

/// <summary>What a fault does.</summary>
public enum FaultAction { Kill, Term, Stop, Partition }

/// <summary>
/// One fault: at `At` after the start, do `Action` to `Target` for `For` (killed and terminated
/// processes are started again after it, stopped ones continued, partitions healed).
/// Targets: silo:thread (the silo hosting the hot thread when the fault starts), silo:N, web:N
/// (1-based), azurite; partitions: silo-silo, web-silo, silo-storage (the thread's silo cut from
/// the other silos, from every web node, or from storage).
/// </summary>
public sealed partial record Fault(TimeSpan At, FaultAction Action, string Target, TimeSpan For)
{
    public static readonly string[] Partitions = ["silo-silo", "web-silo", "silo-storage"];

    public bool IsPartition => Action == FaultAction.Partition;
    public TimeSpan End => At + For;

    public override string ToString() =>
        $"{Seconds(At)} {Action.ToString().ToLowerInvariant()} {Target} for {Seconds(For)}";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";

    /// <summary>"10s kill silo:thread for 3s" (the "for" part has defaults: 3 s down, 5 s stopped or cut).</summary>
    public static Fault Parse(string text)
    {
        var m = FaultSyntax().Match(text.Trim());
        if (!m.Success) throw new UsageException($"--schedule: '{text.Trim()}' is not 'AT ACTION TARGET [for DURATION]' (e.g. '10s kill silo:thread for 3s', '30s stop azurite for 5s', '45s partition silo-silo for 8s').");
        var at = Options.ParseDuration(m.Groups["at"].Value) ?? throw new UsageException($"--schedule: '{m.Groups["at"].Value}' is not a time.");
        if (!Enum.TryParse<FaultAction>(m.Groups["action"].Value, ignoreCase: true, out var action))
            throw new UsageException($"--schedule: '{m.Groups["action"].Value}' is not one of kill, term, stop, partition.");
        var target = m.Groups["target"].Value.ToLowerInvariant();
        var valid = action == FaultAction.Partition ? Partitions.Contains(target)
            : target is "silo:thread" or "azurite" || TargetIndex().IsMatch(target);
        if (!valid || (target == "azurite" && action != FaultAction.Stop))
            throw new UsageException($"--schedule: '{target}' is not a target of {action.ToString().ToLowerInvariant()} (silo:thread, silo:N, web:N; azurite only with stop; partitions: {string.Join(", ", Partitions)}).");
        var duration = m.Groups["for"].Success
            ? Options.ParseDuration(m.Groups["for"].Value) ?? throw new UsageException($"--schedule: '{m.Groups["for"].Value}' is not a duration.")
            : TimeSpan.FromSeconds(action is FaultAction.Kill or FaultAction.Term ? 3 : 5);
        return new Fault(at, action, target, duration);
    }

    [GeneratedRegex(@"^(?<at>[\d.]+(?:ms|s|m)?)\s+(?<action>\w+)\s+(?<target>[\w:-]+)(?:\s+for\s+(?<for>[\d.]+(?:ms|s|m)?))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FaultSyntax();

    [GeneratedRegex(@"^(silo|web):\d+$")]
    public static partial Regex TargetIndex();
}

/// <summary>The faults of a run, in time order: given (--schedule) or drawn from a seed.</summary>
public static class FaultSchedule
{
    /// <summary>Every kind --faults can name.</summary>
    public static readonly string[] Kinds =
        ["kill-silo", "kill-web", "term-silo", "term-web", "stop-silo", "stop-web", "stop-azurite", "partition-silo-silo", "partition-web-silo", "partition-silo-storage"];

    public static IReadOnlyList<Fault> Parse(string schedule) =>
        schedule.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Fault.Parse).OrderBy(f => f.At).ToList();

    public static string Format(IEnumerable<Fault> faults) => string.Join("; ", faults);

    /// <summary>
    /// A fault every `every` (drawn between its bounds) from the first interval on, kinds drawn from
    /// `kinds`; silo faults hit the thread's silo half the time and a drawn silo otherwise. The last
    /// fault ends at least `quiet` before the end, so that the run ends calm. Same seed, same schedule.
    /// </summary>
    public static IReadOnlyList<Fault> Generate(int seed, TimeSpan duration, TimeSpan everyMin, TimeSpan everyMax, IReadOnlyList<string> kinds,
        int silos, int webs, TimeSpan quiet)
    {
        var random = new Random(seed);
        var faults = new List<Fault>();
        var at = TimeSpan.Zero;
        while (true)
        {
            at += everyMin + (everyMax - everyMin) * random.NextDouble();
            var kind = kinds[random.Next(kinds.Count)];
            var parts = kind.Split('-', 2);
            var action = Enum.Parse<FaultAction>(parts[0], ignoreCase: true);
            var target = parts[1] switch
            {
                "silo" => random.Next(2) == 0 ? "silo:thread" : $"silo:{random.Next(silos) + 1}",
                "web" => $"web:{random.Next(webs) + 1}",
                var other => other, // azurite, or a partition's pair
            };
            var seconds = action is FaultAction.Kill or FaultAction.Term ? 2 + random.Next(4) : 3 + random.Next(8);
            var fault = new Fault(TimeSpan.FromSeconds(Math.Round(at.TotalSeconds, 1)), action, target, TimeSpan.FromSeconds(seconds));
            if (fault.End > duration - quiet) return faults;
            faults.Add(fault);
        }
    }

    /// <summary>"15s..30s" or "20s" (fixed).</summary>
    public static (TimeSpan Min, TimeSpan Max) ParseEvery(string text)
    {
        var parts = text.Split("..", StringSplitOptions.TrimEntries);
        var bounds = parts.Select(p => Options.ParseDuration(p) is { } d && d > TimeSpan.Zero ? d : throw new UsageException($"--fault-every: '{p}' is not a duration above 0 (e.g. 15s..30s).")).ToArray();
        return bounds.Length switch
        {
            1 => (bounds[0], bounds[0]),
            2 when bounds[0] <= bounds[1] => (bounds[0], bounds[1]),
            _ => throw new UsageException($"--fault-every: '{text}' is not MIN..MAX with MIN <= MAX (e.g. 15s..30s)."),
        };
    }

    public static string[] ParseKinds(string text)
    {
        var kinds = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant()).ToArray();
        var unknown = kinds.Where(k => !Kinds.Contains(k)).ToList();
        if (kinds.Length == 0 || unknown.Count > 0)
            throw new UsageException($"--faults: unknown kind(s) {string.Join(", ", unknown)}; choose from {string.Join(", ", Kinds)}.");
        return kinds;
    }
}
