namespace Chat.TestSupport;

/// <summary>
/// Test lanes: every test class carries exactly one <c>[Trait("Lane", Lanes.X)]</c>, saying what it
/// needs to run, so that `./test.sh --fast` (or `--lane X`) runs a part of the suite and skips the
/// set-up the rest needs. A class that needs several names the heaviest (later in <see cref="All"/>):
/// UpgradeTests starts processes and a browser, so it runs in the browser lane. Classes that take over ~30 s also carry <c>[Trait(Lanes.Slow, "true")]</c>.
/// TestLaneTests fails for a test class without exactly one lane.
/// </summary>
public static class Lanes
{
    /// <summary>The trait's name: `dotnet test --filter Lane=pure`.</summary>
    public const string Trait = "Lane";

    /// <summary>No cluster, server, socket or browser: parsers, single classes, the page's scripts in Jint.
    /// May run a local command-line tool that renders or checks files and exits (kubectl kustomize, promtool).</summary>
    public const string Pure = "pure";

    /// <summary>An in-process Orleans test cluster or web host on loopback, without a separate process (no Azurite).</summary>
    public const string Cluster = "cluster";

    /// <summary>In-process hosts that need Azurite (a node process of its own).</summary>
    public const string Storage = "storage";

    /// <summary>Starts hosts, run.sh, the load tool, Prometheus or Redis as separate processes.</summary>
    public const string Processes = "processes";

    /// <summary>Drives Chromium through Playwright.</summary>
    public const string Browser = "browser";

    /// <summary>Builds images and runs them in a dockerd of its own (root only).</summary>
    public const string Containers = "containers";

    /// <summary>Every lane, in the order test.sh runs them.</summary>
    public static readonly IReadOnlyList<string> All = [Pure, Cluster, Storage, Processes, Browser, Containers];

    /// <summary>Second trait, on classes that take over ~30 s: `--filter Slow!=true` leaves them out.</summary>
    public const string Slow = "Slow";
}
