namespace Chat.LoadTests.Community;

/// <summary>The community workload (every knob a flag of `community`; the defaults are in <see cref="Help"/>).</summary>
public sealed record CommunitySettings
{
    public int Threads { get; init; } = 300;
    public double ZipfS { get; init; } = 1.1;
    public int Readers { get; init; } = 2_000;
    /// <summary>Idle connections (front page and inbox only); default a quarter of the readers.</summary>
    public int Idle { get; init; } = 500;
    public int Silos { get; init; } = 2;
    public int Webs { get; init; } = 3;
    public double Rate { get; init; } = 60;
    public int Posters { get; init; } = 100;
    public int PosterInFlight { get; init; } = 32;
    /// <summary>Readers that leave (and as many that arrive) per second, as a share of the readers.</summary>
    public double Churn { get; init; } = 0.01;
    public double VotesPerPost { get; init; } = 0.5;
    public double TypingPerPost { get; init; } = 1;
    public double FrontPagePerPost { get; init; } = 0.2;
    public int BodyMedian { get; init; } = 200;
    public int BodyMax { get; init; } = 640;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Generator processes; 0 = as many as the connections need (<see cref="ConnectionsPerWorker"/> each).</summary>
    public int Workers { get; init; }
    public string Reader { get; init; } = ReaderKinds.Lean;
    public string Gc { get; init; } = "server";
    public int Seed { get; init; } = 1;
    /// <summary>The `--scale` schedule (<see cref="ScaleSchedule"/>), normalised; null: no scaling, and clients stay on their node.</summary>
    public string? Scale { get; init; }

    /// <summary>Connections one generator process takes by default: well under the 20,000 open files a process may hold here.</summary>
    public const int ConnectionsPerWorker = 8_000;

    public int Connections => Readers + Idle + Posters;

    public int WorkerCount => Workers > 0 ? Workers : Math.Max(1, (Connections + ConnectionsPerWorker - 1) / ConnectionsPerWorker);

    public const string Help = """
          community         a busy site's load on a cluster it starts (Azurite, --silos 2 Chat.Silo, --web 3 Chat.Web in the
                            Client topology) or on --urls: --threads 300 with Zipf popularity (--zipf 1.1) for readers and
                            posts, --readers 2000 lean readers and --idle R/4 idle connections (front page + inbox) over the
                            web nodes, --churn 0.01 of the readers leaving and arriving per second, --rate 60 posts/s from
                            --posters 100 signed-in posters (--poster-in-flight 32 each), bodies --body-median 200 / --body-max
                            640 chars, --votes 0.5 --typing 1 --front-page 0.2 per post; --workers 0 (auto: one generator
                            process per 8,000 connections); --duration 30s --warmup 10s --drain 15s --gc server|workstation
                            --seed 1 --reader lean|lean-messagepack --silo-urls (metrics, with --urls) --out FILE.json
                            Latency counts from when each post was due (open loop), across all generator processes.
                            --scale [SCHEDULE]: add and remove nodes while it runs (not with --urls); bare: the default
                            "30:+silo,60:+silo,90:-silo,120:-silo,150:+web,180:-web" (s from the start of the measured
                            time : +silo -silo +web -web; a removal SIGTERMs the most recently added node still running);
                            --duration is extended to the last move + 30 s; clients move to another node as behind a load balancer.
        """;

    public static CommunitySettings From(Options o)
    {
        var readers = o.Int("readers", 2_000, 0, 200_000);
        var gc = o.String("gc", "server")!;
        if (gc is not ("server" or "workstation")) throw new UsageException("--gc must be server or workstation.");
        var reader = ReaderKinds.Parse(o, ReaderKinds.Lean);
        if (!ReaderKinds.IsLean(reader)) throw new UsageException("community uses lean readers (--reader lean or lean-messagepack): the .NET client costs the generator more than the server.");
        var s = new CommunitySettings
        {
            Threads = o.Int("threads", 300, 1, 100_000),
            ZipfS = o.Double("zipf", 1.1, 0, 5),
            Readers = readers,
            Idle = o.Int("idle", readers / 4, 0, 200_000),
            Silos = o.Int("silos", 2, 1, 20),
            Webs = o.Int("web", 3, 1, 20),
            Rate = o.Double("rate", 60, 0.1, 100_000),
            Posters = o.Int("posters", 100, 1, 10_000),
            PosterInFlight = o.Int("poster-in-flight", 32, 1, 10_000),
            Churn = o.Double("churn", 0.01, 0, 1),
            VotesPerPost = o.Double("votes", 0.5, 0, 100),
            TypingPerPost = o.Double("typing", 1, 0, 100),
            FrontPagePerPost = o.Double("front-page", 0.2, 0, 100),
            BodyMedian = o.Int("body-median", 200, 40, 10_000),
            BodyMax = o.Int("body-max", 640, 40, 10_000),
            Duration = o.Duration("duration", TimeSpan.FromSeconds(30), TimeSpan.FromHours(2)),
            Warmup = o.Duration("warmup", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), allowZero: true),
            Drain = o.Duration("drain", TimeSpan.FromSeconds(15), TimeSpan.FromMinutes(5)),
            Workers = o.Int("workers", 0, 0, 31),
            Reader = reader,
            Gc = gc,
            Seed = o.Int("seed", 1),
        };
        if (s.BodyMax < s.BodyMedian) throw new UsageException("--body-max must be at least --body-median.");
        if (s.WorkerCount > 31) throw new UsageException($"{s.Connections} connections need {s.WorkerCount} generator processes; at most 31 have loopback source addresses of their own: ask for fewer connections.");
        return s;
    }

    /// <summary>The servers' GC mode as the runtime's switch, the same for the product and the baselines.</summary>
    public static IReadOnlyDictionary<string, string> GcEnv(string gc) =>
        new Dictionary<string, string> { ["DOTNET_gcServer"] = gc == "server" ? "1" : "0" };
}
