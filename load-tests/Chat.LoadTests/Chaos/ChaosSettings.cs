namespace Chat.LoadTests.Chaos;

/// <summary>The knobs of a chaos run (all from the command line; see load-tests/README.md).</summary>
public sealed record ChaosSettings(int Silos, int Webs, int Threads, int Readers, int Posters, double Rate, TimeSpan Duration,
    TimeSpan RetryBudget, TimeSpan AttemptTimeout, TimeSpan Slow, TimeSpan CatchUp, bool Namespaces, IReadOnlyDictionary<string, string> Env)
{
    /// <summary>The options that shape a run, as given (the schedule apart): what a replay must repeat.</summary>
    public string Arguments { get; init; } = "";

    /// <summary>The membership settings the integration tests use: a dead silo is declared in ~3 s instead of Orleans' default.</summary>
    public static readonly IReadOnlyDictionary<string, string> FastMembership = new Dictionary<string, string>
    {
        ["Chat__Membership__ProbeTimeout"] = "00:00:01",
        ["Chat__Membership__NumMissedProbesLimit"] = "2",
    };

    public static ChaosSettings From(Options o)
    {
        var env = new Dictionary<string, string>();
        // --membership fast | Key=Value,... (keys of Chat:Membership, i.e. Orleans' ClusterMembershipOptions); none: the product's own settings.
        if (o.String("membership") is { } membership)
        {
            if (membership == "fast") foreach (var (k, v) in FastMembership) env[k] = v;
            else foreach (var (k, v) in Pairs("membership", membership)) env["Chat__Membership__" + k] = v;
        }
        // --env KEY=VALUE,... : anything else for every silo and web node (e.g. Chat__Relay__RefreshPeriod=00:00:02).
        if (o.String("env") is { } extra) foreach (var (k, v) in Pairs("env", extra)) env[k] = v;
        var settings = new ChaosSettings(
            Silos: o.Int("silos", 3, 1, 20),
            Webs: o.Int("web", 2, 1, 20),
            Threads: o.Int("threads", 1, 1, 100),
            Readers: o.Int("readers", 400, 0, 50_000),
            Posters: o.Int("posters", 4, 1, 1_000),
            Rate: o.Double("rate", 40, 0.1, 10_000),
            Duration: o.Duration("duration", TimeSpan.FromMinutes(10), TimeSpan.FromHours(4)),
            RetryBudget: o.Duration("retry-budget", TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10)),
            AttemptTimeout: o.Duration("attempt-timeout", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2)),
            Slow: o.Duration("slow", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)),
            CatchUp: o.Duration("catch-up", TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10)),
            Namespaces: !o.Has("no-netns"),
            Env: env);
        var given = new[] { "membership", "env", "retry-budget", "attempt-timeout", "slow", "catch-up" }.Where(o.Has).Select(k => $" --{k} {Quote(o.String(k)!)}");
        return settings with
        {
            Arguments = $"--silos {settings.Silos} --web {settings.Webs} --threads {settings.Threads} --readers {settings.Readers} --posters {settings.Posters} " +
                $"--rate {settings.Rate} --duration {settings.Duration.TotalSeconds:0}s{string.Concat(given)}{(settings.Namespaces ? "" : " --no-netns")}",
        };
    }

    private static string Quote(string s) => s.Contains(' ') || s.Contains(';') ? $"\"{s}\"" : s;

    private static IEnumerable<(string Key, string Value)> Pairs(string option, string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p =>
        {
            var eq = p.IndexOf('=');
            return eq > 0 ? (p[..eq], p[(eq + 1)..]) : throw new UsageException($"--{option}: '{p}' is not KEY=VALUE.");
        });
}
