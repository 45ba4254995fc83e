namespace Chat.Baseline;

public static class BaselineOptions
{
    /// <summary>The value of `--redis HOST:PORT` (or `--redis=HOST:PORT`), or null.</summary>
    public static string? RedisFrom(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--redis" && i + 1 < args.Length) return args[i + 1];
            if (args[i].StartsWith("--redis=")) return args[i]["--redis=".Length..];
        }
        return null;
    }
}
