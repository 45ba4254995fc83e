namespace Chat.Security.Tests;

/// <summary>The fuzzers' seed: random per run, printed, and replayable with CHAT_FUZZ_SEED=n.</summary>
public static class FuzzSeed
{
    public const string EnvironmentVariable = "CHAT_FUZZ_SEED";

    public static int Next() =>
        int.TryParse(Environment.GetEnvironmentVariable(EnvironmentVariable), out var seed) ? seed : Random.Shared.Next();
}
