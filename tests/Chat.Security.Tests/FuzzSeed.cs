namespace Chat.Security.Tests;

/// <summary>
/// The fuzzers' seeds. A run is deterministic: each fuzzer runs with <see cref="Default"/> and with
/// every seed that once found a failure (kept as a fixed case, so the bug stays fixed), unless
/// CHAT_FUZZ_SEED=n chooses another seed, which then runs alone. The seed is the theory's argument,
/// so it is in every test name, in every failure and in the output.
/// </summary>
public static class FuzzSeed
{
    public const string EnvironmentVariable = "CHAT_FUZZ_SEED";

    /// <summary>The seed every run uses unless CHAT_FUZZ_SEED says otherwise.</summary>
    public const int Default = 20261207;

    /// <summary>HubFuzzTests: a post under a differently-cased method name ('POSTCOMMENT') was not counted
    /// as accepted ('target seqs 1,2,3, expected 1,3'); the fuzzer counts it since.</summary>
    public const int HubCaseInsensitivePost = 1988515436;

    /// <summary>CHAT_FUZZ_SEED's value, if set (a malformed value fails rather than silently fuzzing another seed).</summary>
    public static int? Chosen()
    {
        var text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text, out var seed) ? seed : throw new FormatException($"{EnvironmentVariable}='{text}' is not a 32-bit integer");
    }

    /// <summary>Theory data: the chosen seed alone, or the default and the given seeds that found failures.</summary>
    public static TheoryData<int> With(params int[] foundFailures) =>
        Chosen() is { } chosen ? new TheoryData<int>(chosen) : new TheoryData<int>(new[] { Default }.Concat(foundFailures).Distinct());

    public static string Describe(int seed) => $"{EnvironmentVariable}={seed}";
}
