namespace Chat.Processes;

/// <summary>The exit code and output of a command that ran to its end (<see cref="ChildProcess.RunAsync"/>).</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error);
