namespace Chat.LoadTests;

/// <summary>A reader of one thread that a run can verify at the end, whatever its transport.</summary>
public interface IThreadReader : IAsyncDisposable
{
    string ThreadId { get; }
    long LastSeq { get; }
    long Duplicated { get; }
    long OutOfOrder { get; }
    long JoinRepeats { get; }

    /// <summary>Connects and joins the thread.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>After the run: seqs 1..n this reader does not hold, and seqs it only got by the HTTP fill.</summary>
    (long Missing, long Lost) Verify(long n);
}

/// <summary>
/// Which reader a run uses (--reader): "lean" (raw WebSocket, <see cref="LeanReader"/>, JSON: the
/// generator costs less than the server), "lean-messagepack" (the same over SignalR's MessagePack
/// protocol) or "dotnet" (Microsoft's SignalR client, <see cref="Reader"/>: what a
/// .NET application would use, at about twice the server's CPU per delivery).
/// </summary>
public static class ReaderKinds
{
    public const string Lean = "lean", LeanMessagePack = "lean-messagepack", DotNet = "dotnet";

    public static bool IsLean(string kind) => kind is Lean or LeanMessagePack;

    public static string Parse(Options o, string fallback)
    {
        var kind = o.String("reader", fallback)!;
        return kind is Lean or LeanMessagePack or DotNet ? kind : throw new UsageException($"--reader must be '{Lean}', '{LeanMessagePack}' or '{DotNet}', not '{kind}'.");
    }
}
