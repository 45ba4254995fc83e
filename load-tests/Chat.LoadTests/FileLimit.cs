using System.Runtime.InteropServices;

namespace Chat.LoadTests;

/// <summary>
/// Open-file limit of this process (every connection is a file descriptor). .NET already raises the
/// soft limit to the hard one at start; root may raise the hard one too. Fails with the fix when
/// neither is enough.
/// </summary>
public static class FileLimit
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Max;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRlimit(int resource, out Rlimit limit);

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRlimit(int resource, ref Rlimit limit);

    /// <summary>This process's hard limit (what a child inherits unless raised as root), or int.MaxValue where unknown.</summary>
    public static int Hard =>
        OperatingSystem.IsLinux() && GetRlimit(RlimitNofile, out var limit) == 0 ? (int)Math.Min(limit.Max, int.MaxValue) : int.MaxValue;

    /// <summary>Makes sure at least <paramref name="needed"/> files can be open at once.</summary>
    public static void Raise(int needed)
    {
        if (!OperatingSystem.IsLinux() || GetRlimit(RlimitNofile, out var limit) != 0 || limit.Current >= (ulong)needed) return;
        // Raising the hard limit needs root; without it, the soft limit can still go up to the hard one.
        var wanted = new Rlimit { Current = (ulong)needed, Max = Math.Max(limit.Max, (ulong)needed) };
        if (SetRlimit(RlimitNofile, ref wanted) == 0) return;
        wanted = new Rlimit { Current = Math.Min((ulong)needed, limit.Max), Max = limit.Max };
        SetRlimit(RlimitNofile, ref wanted);
        if (GetRlimit(RlimitNofile, out var now) != 0 || now.Current < (ulong)needed)
            throw new UsageException($"This run needs {needed} open files, but the limit is {limit.Max} (ulimit -Hn). Run as root, or raise it first: ulimit -n {needed}.");
    }
}
