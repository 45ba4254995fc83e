using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chat.TestSupport;

/// <summary>POSIX signals for child processes: .NET's Process has only Kill (SIGKILL).</summary>
public static partial class ProcessSignals
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static void Interrupt(Process process) => Send(process, SigInt);
    public static void Terminate(Process process) => Send(process, SigTerm);
    public static void KillHard(Process process) => Send(process, SigKill);
    public static void Stop(Process process) => Send(process, SigStop);
    public static void Continue(Process process) => Send(process, SigCont);

    private static void Send(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
