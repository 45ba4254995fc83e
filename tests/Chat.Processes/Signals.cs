using System.Runtime.InteropServices;

namespace Chat.Processes;

/// <summary>The POSIX signals the tests and the load tool send (Linux numbers).</summary>
public enum Signal
{
    /// <summary>Ctrl-C: what makes azurite-table flush its last writes.</summary>
    Int = 2,
    /// <summary>kill -9: no shutdown code runs.</summary>
    Kill = 9,
    /// <summary>What Kubernetes sends a pod it stops: a graceful shutdown.</summary>
    Term = 15,
    Cont = 18,
    /// <summary>The process hangs with its sockets open, as on a machine that froze.</summary>
    Stop = 19,
}

/// <summary>Sends POSIX signals by pid: .NET's Process has only Kill (SIGKILL, and only to its own children).</summary>
public static partial class Signals
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int NoSuchProcess = 3; // ESRCH

    /// <summary>Sends the signal; a process that is already gone is left alone (false).</summary>
    public static bool Send(int pid, Signal signal)
    {
        if (Kill(pid, (int)signal) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == NoSuchProcess) return false;
        throw new InvalidOperationException($"kill({pid}, SIG{signal.ToString().ToUpperInvariant()}) failed: errno {errno}");
    }

    /// <summary>"TERM", "SIGTERM", "term", "15": a signal by the name `kill -NAME` takes.</summary>
    public static Signal Parse(string name)
    {
        var bare = name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? name[3..] : name;
        return Enum.TryParse<Signal>(bare, ignoreCase: true, out var signal) && Enum.IsDefined(signal)
            ? signal
            : throw new ArgumentException($"'{name}' is not a signal this knows (INT, KILL, TERM, CONT, STOP).", nameof(name));
    }
}
