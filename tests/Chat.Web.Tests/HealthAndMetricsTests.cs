using System.Net;
using System.Net.Http.Json;

namespace Chat.Web.Tests;

/// <summary>The operator's endpoints: health probes and Prometheus metrics.</summary>
[Collection(WebCollection.Name)]
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

    private static string Git(string args)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", args) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true })!;
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return output;
    }
}
