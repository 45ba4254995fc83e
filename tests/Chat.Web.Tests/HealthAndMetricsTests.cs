using System.Net;
using System.Net.Http.Json;

namespace Chat.Web.Tests;

/// <summary>The operator's endpoints: health probes and Prometheus metrics.</summary>
[Collection(WebCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class HealthAndMetricsTests(WebFixture fixture)
{
    [Fact]
    public async Task Health_and_metrics_answer()
    {
        using var client = ChatApiClient.Anonymous(fixture.BaseAddress);

        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/health/ready")).StatusCode);
        var metrics = await client.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE", metrics);
    }

    [Fact]
    public async Task The_product_says_its_version_and_commit_in_the_api_the_metrics_and_every_pages_footer()
    {
        using var client = ChatApiClient.Anonymous(fixture.BaseAddress);
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props"));
        var release = props.Descendants("VersionPrefix").Single().Value;
        var commit = Git("rev-parse HEAD");

        var version = await client.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/version");
        var metrics = await client.Http.GetStringAsync("/metrics");
        var front = await client.Http.GetStringAsync("/");

        Assert.Equal(release, version.GetProperty("version").GetString());
        Assert.Equal(commit, version.GetProperty("commit").GetString());
        Assert.Contains($"chat_build_info{{", metrics);
        Assert.Contains($"version=\"{release}\"", metrics);
        Assert.Contains($"commit=\"{commit}\"", metrics);
        Assert.Contains($"chat {release} ({commit[..7]})", front);
        // The changelog names the release this tree leads to, and every release's commit is in history.
        var changelog = File.ReadAllText(Path.Combine(RepoPaths.Root, "CHANGELOG.md"));
        Assert.Contains($"## {release} (unreleased)", changelog);
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(changelog, @"^## (\d+\.\d+\.\d+) — commit ([0-9a-f]{40})", System.Text.RegularExpressions.RegexOptions.Multiline))
            Assert.Equal("commit", Git($"cat-file -t {m.Groups[2].Value}"));
    }

    [Fact]
    public async Task Metrics_say_where_a_posts_time_went_hop_by_hop_from_the_hub_to_the_readers_connections()
    {
        using var poster = await ChatApiClient.SignedUpAsync(fixture.BaseAddress);
        var threadId = await poster.CreateThreadAsync();
        await using var reader = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId);
        await using var posting = await ThreadReader.ConnectAsync(fixture.BaseAddress, threadId, poster.Token);
        string[] stages = ["user_grain", "group_commit_wait", "storage_write", "settle_in_order", "numbered_to_relay", "coalesce", "group_send"];
        // This host's histogram, read in process: other tests' hosts in this process have "Chat" meters
        // of their own, and /metrics then exports whichever registered the name first (an artefact
        // of several hosts in one test process; the load tool reads /metrics of a host of its own).
        var counted = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        var factory = fixture.Host.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "chat.post.stage.duration" && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags) if (tag.Key == "stage") counted.AddOrUpdate((string)tag.Value!, 1, (_, n) => n + 1);
        });
        listener.Start();

        var seq = await posting.PostAsync(0, "timed on its way");
        await Eventually.True(() => reader.LastSeq == seq, TimeSpan.FromSeconds(20), "the reader has the comment");

        await Eventually.True(() => stages.All(counted.ContainsKey), TimeSpan.FromSeconds(20),
            "every stage counted the comment (counted: " + string.Join(", ", counted.Keys) + ")");
        Assert.Equal(stages.Order(), counted.Keys.Order());
    }

    private static string Git(string args)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", args) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true })!;
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return output;
    }
}
