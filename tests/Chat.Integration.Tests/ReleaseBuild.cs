using System.Text.RegularExpressions;

namespace Chat.Integration.Tests;

/// <summary>
/// The last release recorded in CHANGELOG.md ("## 0.1.0 — commit &lt;sha&gt;"), built from git history
/// into a folder of its own under the temp directory: its Chat.Silo and Chat.Web, for clusters that
/// mix it with the current tree's build. The repository's own bin/obj are never touched. The build
/// is kept (keyed by commit) and reused by later runs on this machine.
/// </summary>
public static partial class ReleaseBuild
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string Version, string Commit, string Root)? _built;

    /// <summary>Builds the last recorded release once per test run; returns its version and the root of its tree.</summary>
    public static async Task<(string Version, string Root)> LastAsync()
    {
        await Gate.WaitAsync();
        try
        {
            _built ??= await BuildAsync();
            return (_built.Value.Version, _built.Value.Root);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The newest release heading in the changelog that names a commit.</summary>
    public static (string Version, string Commit) LastRecorded()
    {
        var changelog = File.ReadAllText(Path.Combine(RepoPaths.Root, "CHANGELOG.md"));
        var release = ReleaseHeading().Match(changelog);
        if (!release.Success) throw new InvalidOperationException("CHANGELOG.md records no release: no heading like '## 0.1.0 — commit <40 hex digits>'.");
        return (release.Groups["version"].Value, release.Groups["commit"].Value);
    }

    [GeneratedRegex(@"^## (?<version>\d+\.\d+\.\d+) — commit (?<commit>[0-9a-f]{40})\s*$", RegexOptions.Multiline)]
    private static partial Regex ReleaseHeading();

    private static async Task<(string, string, string)> BuildAsync()
    {
        var (version, commit) = LastRecorded();
        var (found, _) = await RunAsync(RepoPaths.Root, "git", "cat-file", "-e", commit + "^{commit}");
        if (found != 0)
            throw new InvalidOperationException(
                $"Release {version}'s commit {commit} (CHANGELOG.md) is not in this clone; a shallow clone lacks history: run 'git fetch --unshallow'.");

        var root = Path.Combine(Path.GetTempPath(), $"chat-release-{version}-{commit[..12]}");
        var done = Path.Combine(root, ".built-" + HostProcess.Configuration);
        if (File.Exists(done)) return (version, commit, root);

        // A fresh extraction each time a build is needed: a half-built tree from an interrupted run is not reused.
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        await RunCheckedAsync(RepoPaths.Root, "bash", "-c", $"git archive --format=tar {commit} | tar -x -C '{root}'");
        // The SignalR browser client the web project embeds comes from the repository's npm packages.
        Directory.CreateSymbolicLink(Path.Combine(root, "node_modules"), Path.Combine(RepoPaths.Root, "node_modules"));
        foreach (var project in new[] { "Chat.Web", "Chat.Silo" })
            await RunCheckedAsync(root, "dotnet", "build", $"src/{project}/{project}.csproj", "-c", HostProcess.Configuration, "--nologo", "-v", "quiet", "-clp:ErrorsOnly");
        await File.WriteAllTextAsync(done, commit);
        return (version, commit, root);
    }

    private static async Task RunCheckedAsync(string directory, string command, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(directory, command, arguments);
        if (exitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed with {exitCode}:\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, string command, params string[] arguments)
    {
        var result = await ChildProcess.RunAsync(new ProcessLaunch(command, command, arguments) { WorkingDirectory = directory }, Timeout.InfiniteTimeSpan);
        return (result.ExitCode, result.Output + result.Error);
    }
}
