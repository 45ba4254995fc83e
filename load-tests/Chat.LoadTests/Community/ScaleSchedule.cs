using System.Globalization;

namespace Chat.LoadTests.Community;

/// <summary>What an operator does to the cluster: add or remove (SIGTERM) a silo or a web node.</summary>
public enum ScaleAction { AddSilo, RemoveSilo, AddWeb, RemoveWeb }

/// <summary>One move of the schedule, `At` after the start of the measured time.</summary>
public sealed record ScaleStep(TimeSpan At, ScaleAction Action)
{
    public string Text => $"{At.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}:{ScaleSchedule.Name(Action)}";
}

/// <summary>
/// `community --scale`: when operators add and remove nodes during the run. A bare `--scale` is the
/// default (<see cref="Default"/>); otherwise "AT:ACTION,AT:ACTION,…" with AT in seconds from the start
/// of the measured time (30, 30s, 1.5m) and ACTION one of +silo, -silo, +web, -web, in time order.
/// A removal stops the most recently added node of that role still running (SIGTERM, then waits for
/// it to exit), so the nodes the run started with stay, and web1 (where the coordinator reads) last.
/// </summary>
public static class ScaleSchedule
{
    /// <summary>Time after the last move that the measured time must still run: the move settles and its window has data.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    /// <summary>Each move's window: from the move to this much later, or to the next move.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>When the silos' activations are read after a move (or just before the next move, if sooner).</summary>
    public static readonly TimeSpan ActivationsAfter = TimeSpan.FromSeconds(20);

    /// <summary>How often the silos' thread activations are read through a --scale run (the `activationTimeline`).</summary>
    public static readonly TimeSpan ActivationsEvery = TimeSpan.FromSeconds(5);

    /// <summary>Add a silo, another; remove both (SIGTERM); add a web node; remove it (SIGTERM); 30 s apart.</summary>
    public const string Default = "30:+silo,60:+silo,90:-silo,120:-silo,150:+web,180:-web";

    public static string Name(ScaleAction a) => a switch
    {
        ScaleAction.AddSilo => "+silo",
        ScaleAction.RemoveSilo => "-silo",
        ScaleAction.AddWeb => "+web",
        _ => "-web",
    };

    /// <summary>
    /// The schedule given to --scale (null: the bare flag, the default), checked against the cluster the
    /// run starts with: a removal may not leave a role without a node.
    /// </summary>
    public static IReadOnlyList<ScaleStep> Parse(string? text, int silos, int webs)
    {
        var steps = new List<ScaleStep>();
        var items = (text ?? Default).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new UsageException($"--scale: '{text}' has no moves; give e.g. --scale \"{Default}\", or --scale alone for that default.");
        foreach (var item in items)
        {
            var colon = item.IndexOf(':');
            if (colon <= 0) throw new UsageException($"--scale: '{item}' is not AT:ACTION (e.g. 30:+silo; ACTION one of +silo, -silo, +web, -web).");
            var at = Options.ParseDuration(item[..colon]) ?? throw new UsageException($"--scale: '{item[..colon]}' in '{item}' is not a time (seconds from the start of the measured time: 30, 30s, 1.5m).");
            var action = item[(colon + 1)..].Trim().ToLowerInvariant() switch
            {
                "+silo" => ScaleAction.AddSilo,
                "-silo" => ScaleAction.RemoveSilo,
                "+web" => ScaleAction.AddWeb,
                "-web" => ScaleAction.RemoveWeb,
                var other => throw new UsageException($"--scale: '{other}' in '{item}' is not one of +silo, -silo, +web, -web."),
            };
            if (at <= TimeSpan.Zero) throw new UsageException($"--scale: '{item}' must be after the start of the measured time (above 0 s).");
            if (steps.Count > 0 && at <= steps[^1].At) throw new UsageException($"--scale: '{item}' is not after '{steps[^1].Text}': give the moves in time order.");
            steps.Add(new ScaleStep(at, action));
        }
        foreach (var step in steps)
        {
            (silos, webs) = step.Action switch
            {
                ScaleAction.AddSilo => (silos + 1, webs),
                ScaleAction.RemoveSilo => (silos - 1, webs),
                ScaleAction.AddWeb => (silos, webs + 1),
                _ => (silos, webs - 1),
            };
            if (silos < 1 || webs < 1)
                throw new UsageException($"--scale: '{step.Text}' would leave no {(silos < 1 ? "silo" : "web node")} running; start more (--silos, --web) or remove fewer.");
        }
        return steps;
    }

    /// <summary>The measured time a schedule needs: its last move plus <see cref="Settle"/>.</summary>
    public static TimeSpan Needs(IReadOnlyList<ScaleStep> steps) => steps.Count == 0 ? TimeSpan.Zero : steps[^1].At + Settle;
}
