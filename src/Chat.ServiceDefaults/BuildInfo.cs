using System.Reflection;

namespace Chat.ServiceDefaults;

/// <summary>
/// What this host is: its release version (VersionPrefix in Directory.Build.props; CHANGELOG.md
/// lists the releases) and the commit it was built from (the SDK appends it to the informational
/// version as "+sha" when it builds from a git checkout; "unknown" otherwise). Read from this
/// assembly: every project of the solution is built with the same version and commit, and the
/// entry assembly is not ours when a host runs inside a test process.
/// </summary>
public static class BuildInfo
{
    private static readonly string Informational =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>"0.2.0" (a build between releases says the release it leads to).</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>The full commit id, or "unknown".</summary>
    public static string Commit { get; } = Informational.Split('+') is [_, var sha, ..] && sha.Length > 0 ? sha : "unknown";

    /// <summary>"0.2.0 (abc1234)": for logs and the page footer.</summary>
    public static string Display => Commit == "unknown" ? Version : $"{Version} ({Commit[..Math.Min(7, Commit.Length)]})";
}
