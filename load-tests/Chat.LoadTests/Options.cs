using System.Globalization;
using System.Net;

namespace Chat.LoadTests;

/// <summary>`--name value` / `--name=value` / `--flag` options, with the limits every run is held to.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public Options(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--")) throw new UsageException($"Unexpected argument '{a}'.");
            var eq = a.IndexOf('=');
            if (eq > 0) _values[a[2..eq]] = a[(eq + 1)..];
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--")) _values[a[2..]] = list[++i];
            else _values[a[2..]] = null;
        }
    }

    /// <summary>A value without counting it as used (for decisions made before the command reads its options).</summary>
    public string? Peek(string name) => _values.GetValueOrDefault(name);

    public bool Has(string name) { _read.Add(name); return _values.ContainsKey(name); }

    public string? String(string name, string? fallback = null)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v ?? throw new UsageException($"--{name} needs a value.") : fallback;
    }

    public int Int(string name, int fallback, int min = 0, int max = int.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{s}'.");
        return v;
    }

    public double Double(string name, double fallback, double min = 0, double max = double.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be a number from {min} to {max}, not '{s}'.");
        return v;
    }

    /// <summary>Durations like 500ms, 20s, 5m, 1h, or plain seconds.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback, TimeSpan? max = null, bool allowZero = false)
    {
        var s = String(name);
        if (s is null) return fallback;
        var d = ParseDuration(s) ?? throw new UsageException($"--{name}: '{s}' is not a duration (e.g. 500ms, 20s, 5m, 1h).");
        if (d < TimeSpan.Zero || (d == TimeSpan.Zero && !allowZero) || (max is not null && d > max))
            throw new UsageException($"--{name} must be {(allowZero ? "0" : "above 0")} or more and at most {max}.");
        return d;
    }

    public static TimeSpan? ParseDuration(string s)
    {
        s = s.Trim();
        (string num, double scale) = s.EndsWith("ms") ? (s[..^2], 0.001) : s.EndsWith('s') ? (s[..^1], 1)
            : s.EndsWith('m') ? (s[..^1], 60) : s.EndsWith('h') ? (s[..^1], 3600) : (s, 1);
        return double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? TimeSpan.FromSeconds(v * scale) : null;
    }

    /// <summary>Names given on the command line that the command never asked about: typos.</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_read.Contains(k));

    /// <summary>The target's web nodes (comma-separated), refused unless loopback or --allow-remote.</summary>
    public Uri[]? Urls(string name = "url")
    {
        var s = String(name);
        if (s is null) return null;
        var urls = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u =>
            Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https") ? uri
            : throw new UsageException($"--{name}: '{u}' is not an http(s) URL.")).ToArray();
        var allowRemote = Has("allow-remote");
        foreach (var u in urls)
            if (!allowRemote && !IsLoopback(u))
                throw new UsageException($"{u} is not a loopback address: load runs only target this machine unless --allow-remote is given.");
        return urls;
    }

    public static bool IsLoopback(Uri u) =>
        u.IsLoopback || (IPAddress.TryParse(u.Host, out var ip) && IPAddress.IsLoopback(ip));
}

public sealed class UsageException(string message) : Exception(message);
