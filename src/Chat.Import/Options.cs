namespace Chat.Import;

/// <summary>The command line: `--name value` or `--name=value`.</summary>
public sealed record Options(string File, string Format, string User, string Password, Uri Url, bool Help, bool Reindex = false)
{
    public static Options Parse(string[] args, Func<string, string?> environment)
    {
        // The verb "reindex" rebuilds the search index instead of importing a file.
        var reindex = args.Length > 0 && args[0] == "reindex";
        if (reindex) args = args[1..];
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "-h" or "--help" or "help") return new Options("", "", "", "", new Uri("http://127.0.0.1"), Help: true);
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"Unexpected argument '{a}'.");
            var eq = a.IndexOf('=');
            if (eq > 0) values[a[2..eq]] = a[(eq + 1)..];
            else if (i + 1 < args.Length) values[a[2..]] = args[++i];
            else throw new UsageException($"{a} needs a value.");
        }
        foreach (var name in values.Keys)
            if (name is not ("file" or "format" or "user" or "password" or "url") || (reindex && name is "file" or "format")) throw new UsageException($"Unknown option --{name}.");

        var file = reindex ? "" : values.GetValueOrDefault("file") ?? throw new UsageException("--file is required.");
        if (!reindex && !System.IO.File.Exists(file)) throw new UsageException($"There is no file {file}.");
        var format = reindex ? "" : values.GetValueOrDefault("format") ?? (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "hn" : "text");
        if (!reindex && format is not ("hn" or "text")) throw new UsageException($"--format must be hn or text, not '{format}'.");
        var user = values.GetValueOrDefault("user") ?? throw new UsageException("--user is required (a moderator's user name).");
        var password = values.GetValueOrDefault("password") ?? environment(ImportTool.PasswordVariable)
            ?? throw new UsageException($"Set {ImportTool.PasswordVariable} (or --password) to the moderator's password.");
        var url = values.GetValueOrDefault("url") ?? "http://127.0.0.1:5000";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--url must be an http(s) address, not '{url}'.");
        return new Options(file, format, user, password, uri, Help: false, reindex);
    }
}
