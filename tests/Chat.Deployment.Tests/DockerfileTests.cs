using System.Text.RegularExpressions;

namespace Chat.Deployment.Tests;

/// <summary>No Docker engine runs here: these read the Dockerfiles and check what can be checked without one.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class DockerfileTests
{
    public static TheoryData<string> Dockerfiles() => ["src/Chat.Silo/Dockerfile", "src/Chat.Web/Dockerfile"];

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_path_a_Dockerfile_copies_from_the_build_context_exists_and_is_not_docker_ignored(string dockerfile)
    {
        var ignored = DockerIgnoredTopLevelNames();
        var copies = Instructions(dockerfile).Where(i => i.Command is "COPY" or "ADD").ToList();
        Assert.NotEmpty(copies);
        foreach (var (_, arguments) in copies)
        {
            var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Any(w => w.StartsWith("--from=", StringComparison.Ordinal))) continue; // from another stage
            var sources = words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1).ToList();
            Assert.NotEmpty(sources);
            foreach (var source in sources)
            {
                var path = Path.Combine(RepoPaths.Root, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile}: COPY {source}: no such file or folder in the repository");
                var top = source.TrimStart('.', '/').Split('/')[0];
                Assert.False(ignored.Contains(top), $"{dockerfile}: COPY {source}: .dockerignore excludes '{top}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_builds_on_the_sdk_runs_on_aspnet_as_non_root_with_pinned_base_images(string dockerfile)
    {
        var instructions = Instructions(dockerfile);
        var froms = instructions.Where(i => i.Command == "FROM").Select(i => i.Arguments.Split(' ')[0]).ToList();
        Assert.Contains("mcr.microsoft.com/dotnet/sdk:10.0", froms);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", froms[^1]);
        Assert.All(froms, image => Assert.Matches(@":[\w.-]+$", image));
        Assert.DoesNotContain(froms, image => image.EndsWith(":latest", StringComparison.Ordinal));

        // The last USER of the runtime stage is the image's non-root app user.
        var runtime = instructions.SkipWhile(i => i != instructions.Last(x => x.Command == "FROM")).ToList();
        Assert.Equal("$APP_UID", runtime.Last(i => i.Command == "USER").Arguments);
        Assert.Contains(runtime, i => i.Command == "ENV" && i.Arguments.Contains("ASPNETCORE_HTTP_PORTS=8080"));
        var project = Path.GetFileName(Path.GetDirectoryName(dockerfile))!;
        Assert.Equal($"[\"dotnet\", \"{project}.dll\"]", runtime.Last(i => i.Command == "ENTRYPOINT").Arguments);
    }

    /// <summary>
    /// A project the host references but the image does not copy fails `docker build` at restore;
    /// nothing else would notice before an operator does.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_copies_every_project_the_host_references(string dockerfile)
    {
        var project = Path.GetFileName(Path.GetDirectoryName(dockerfile))!;
        var copied = Instructions(dockerfile).Where(i => i.Command == "COPY").Select(i => i.Arguments).ToList();
        foreach (var referenced in ProjectClosure($"src/{project}/{project}.csproj"))
        {
            var folder = Path.GetDirectoryName(referenced)!.Replace('\\', '/');
            Assert.Contains($"{referenced} {folder}/", copied);
            Assert.Contains($"{folder}/ {folder}/", copied);
        }
    }

    [Fact]
    public void Web_image_embeds_the_SignalR_browser_client_from_npm()
    {
        var text = string.Join('\n', Instructions("src/Chat.Web/Dockerfile").Select(i => $"{i.Command} {i.Arguments}"));
        Assert.Contains("npm ci", text);
        // Where Chat.Web.csproj looks for it: ../../node_modules/@microsoft/signalr/dist/browser/signalr.min.js
        Assert.Contains("COPY --from=npm /src/node_modules/@microsoft/signalr node_modules/@microsoft/signalr", text);
        Assert.Contains("node_modules/@microsoft/signalr/dist/browser/signalr.min.js", File.ReadAllText(Path.Combine(RepoPaths.Root, "src/Chat.Web/Chat.Web.csproj")));
    }

    /// <summary>The project and every project it references, directly or not, as paths from the repository root.</summary>
    private static SortedSet<string> ProjectClosure(string root)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var project))
        {
            if (!found.Add(project)) continue;
            var dir = Path.GetDirectoryName(project)!;
            var xml = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, project));
            foreach (var reference in xml.Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(RepoPaths.Root, dir, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(RepoPaths.Root, full).Replace('\\', '/'));
            }
        }
        return found;
    }

    /// <summary>Instructions with line continuations joined and comments dropped.</summary>
    private static List<(string Command, string Arguments)> Instructions(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, dockerfile));
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !l.TrimStart().StartsWith('#'));
        var joined = Regex.Replace(string.Join('\n', lines), @"\\\n", " ");
        return joined.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2))
            .Select(p => (p[0].ToUpperInvariant(), p.Length > 1 ? Regex.Replace(p[1].Trim(), @"\s+", " ") : ""))
            .ToList();
    }

    /// <summary>Top-level names that .dockerignore excludes outright (enough for the copies the Dockerfiles make).</summary>
    private static HashSet<string> DockerIgnoredTopLevelNames() =>
        File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('!'))
            .Select(l => l.TrimEnd('/'))
            .Where(l => !l.Contains('/') && !l.Contains('*'))
            .ToHashSet();
}
