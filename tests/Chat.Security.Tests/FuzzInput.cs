using System.Text;
using System.Text.Json;

namespace Chat.Security.Tests;

/// <summary>
/// Seeded generator of malformed input. JSON is built as text (not serialized) so that it can hold
/// what no serializer writes: lone surrogate escapes, invalid UTF-8, numbers out of range, nesting
/// thousands deep, duplicate and mis-cased keys.
/// </summary>
public sealed class FuzzInput(Random random, string targetThreadId, string victimThreadId)
{
    public Random Random { get; } = random;
    public string TargetThreadId { get; } = targetThreadId;
    public string VictimThreadId { get; } = victimThreadId;

    public T Pick<T>(params T[] items) => items[Random.Next(items.Length)];
    public bool Chance(int percent) => Random.Next(100) < percent;

    /// <summary>Strings a .NET serializer can carry (no lone surrogates: see <see cref="JsonString"/>).</summary>
    public string String() => Random.Next(20) switch
    {
        0 => "",
        1 => " \t\r\n ",
        2 => "\0",
        3 => "a\0b\0",
        4 => new string('x', 1_000_000),
        5 => new string('y', Limits.BodyMaxLength + 1),
        6 => new string('z', Limits.TitleMaxLength + 1),
        7 => RandomUnicode(Random.Next(1, 40)),
        8 => "../../../etc/passwd",
        9 => "%00%ff%2e%2e",
        10 => "<script>alert(1)</script>",
        11 => ThreadId(),
        12 => "PartitionKey eq 'x' or RowKey ne ''",
        13 => "\u202e\u200b\ufeff\uffff",
        14 => "' OR 1=1 --",
        15 => "\u00a0\u2028\u2029",
        16 => new string('k', Limits.ClientIdMaxLength + 1),
        17 => "null",
        _ => Ascii(Random.Next(1, 60)),
    };

    public string Ascii(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = (char)Random.Next(32, 127);
        return new string(chars);
    }

    private string RandomUnicode(int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var codePoint = Random.Next(3) == 0 ? Random.Next(0x10000, 0x10FFFF) : Random.Next(1, 0xD7FF);
            sb.Append(char.ConvertFromUtf32(codePoint));
        }
        return sb.ToString();
    }

    /// <summary>Ids: the real ones, unknown but well-formed, and malformed.</summary>
    public string ThreadId() => Random.Next(12) switch
    {
        0 or 1 => TargetThreadId,
        2 => VictimThreadId,
        3 => Limits.NewThreadId(),
        4 => "ABCDEFGHIJKL",
        5 => "abc",
        6 => "abcdefghijklm",
        7 => "..",
        8 => "%00",
        9 => "ａｂｃｄｅｆｇｈｉｊｋｌ",
        10 => new string('a', 5000),
        _ => Ascii(12).Replace('/', 'x').Replace('?', 'x').Replace('#', 'x'),
    };

    /// <summary>A JSON string literal, sometimes with lone surrogate escapes.</summary>
    public string JsonString() => Random.Next(8) switch
    {
        0 => "\"\\ud800\"",
        1 => "\"abc\\udfffdef\"",
        2 => "\"\\ud800\\u0041\"",
        3 => "\"\\u0000\"",
        4 => "\"\\x41\"",
        _ => JsonSerializer.Serialize(String()),
    };

    public string JsonNumber() => Pick("0", "-1", "1", "1.5", "-0", "1e309", "-1e309", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999999999", "2147483648", "NaN", "Infinity", "0x10", "00012", "1e2", "-", "+1");

    public string JsonValue(int depth = 0) => Random.Next(depth > 2 ? 4 : 9) switch
    {
        0 => JsonString(),
        1 => JsonNumber(),
        2 => Pick("true", "false", "null"),
        3 => JsonString(),
        4 => "[" + string.Join(",", Enumerable.Range(0, Random.Next(4)).Select(_ => JsonValue(depth + 1))) + "]",
        5 => "{" + string.Join(",", Enumerable.Range(0, Random.Next(4)).Select(_ => JsonSerializer.Serialize(Ascii(Random.Next(1, 8))) + ":" + JsonValue(depth + 1))) + "}",
        6 => DeepNesting(),
        _ => JsonString(),
    };

    public string DeepNesting()
    {
        var depth = Pick(65, 200, 5000);
        return Chance(50) ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
    }

    /// <summary>An object with the given field names, each absent, fuzzed, mis-cased or repeated.</summary>
    public string JsonObject(params (string Name, Func<string> Valid)[] fields)
    {
        var parts = new List<string>();
        foreach (var (name, valid) in fields)
        {
            switch (Random.Next(10))
            {
                case 0: break; // absent
                case 1: parts.Add($"\"{name.ToUpperInvariant()}\":{JsonValue()}"); break;
                case 2: parts.Add($"\"{name}\":{valid()}"); parts.Add($"\"{name}\":{JsonValue()}"); break;
                case 3 or 4 or 5: parts.Add($"\"{name}\":{JsonValue()}"); break;
                default: parts.Add($"\"{name}\":{valid()}"); break;
            }
        }
        if (Chance(15)) parts.Add($"{JsonSerializer.Serialize(Ascii(5))}:{JsonValue()}");
        if (Chance(10)) parts.Reverse();
        return "{" + string.Join(",", parts) + "}";
    }

    /// <summary>Bodies that are not a JSON object at all.</summary>
    public byte[] JunkBody() => Random.Next(13) switch
    {
        0 => [],
        1 => "{"u8.ToArray(),
        2 => "{\"a\":}"u8.ToArray(),
        3 => "[1,2,3]"u8.ToArray(),
        4 => "null"u8.ToArray(),
        5 => "\"just a string\""u8.ToArray(),
        6 => [0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, (byte)'{', (byte)'}'],
        7 => [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'],
        8 => Encoding.UTF8.GetBytes(DeepNesting()),
        9 => Encoding.UTF8.GetBytes("{\"body\":\"" + new string('x', 1_000_000) + "\"}"),
        10 => "{'single':'quotes'}"u8.ToArray(),
        11 => Encoding.UTF8.GetBytes("{\"body\":\"unterminated"),
        _ => Encoding.UTF8.GetBytes(Ascii(Random.Next(1, 200))),
    };

    public string ContentType() => Random.Next(12) switch
    {
        0 => "text/plain",
        1 => "application/x-www-form-urlencoded",
        2 => "multipart/form-data; boundary=x",
        3 => "application/json; charset=utf-16",
        4 => "application/json; charset=nonsense",
        5 => "",
        6 => "application/xml",
        _ => "application/json",
    };

    /// <summary>A query value: sometimes valid, mostly not.</summary>
    public string QueryValue(params string[] valid) => Random.Next(10) switch
    {
        0 or 1 => Pick(valid),
        2 => Pick("0", "-1", "-9223372036854775809", "99999999999999999999", "2147483648", "501", "1001", "1.5", "1e3"),
        3 => "",
        4 => Uri.EscapeDataString(String() is { Length: < 3000 } s ? s : "long"),
        5 => "%00",
        6 => "%ZZ",
        7 => Pick("HOT", "New", "hot%00", "top", "hot,new"),
        _ => Uri.EscapeDataString(Ascii(Random.Next(1, 20))),
    };

    /// <summary>For the victim thread: a comment body no rule accepts.</summary>
    public string InvalidBodyJson() => Pick("null", "\"\"", "\"   \\n\\t \"", "\"\\u00a0\"", JsonSerializer.Serialize(new string('x', Limits.BodyMaxLength + 1)), "12", "[]", "{}", "true", "[\"a\"]");

    /// <summary>For the victim thread: a clientId no rule accepts.</summary>
    public string InvalidClientIdJson() => Pick("null", "\"\"", JsonSerializer.Serialize(new string('c', Limits.ClientIdMaxLength + 1)), "7", "{}", "[\"x\"]");

    /// <summary>For the victim thread: hub arguments no rule accepts as a comment body.</summary>
    public object? InvalidBodyArgument() => Pick<object?>(null, "", "   ", "\u00a0\n", new string('x', Limits.BodyMaxLength + 1), 12345L, new[] { 1, 2 });

    public static string Preview(string text) =>
        (text.Length > 160 ? text[..160] + $"…({text.Length} chars)" : text).Replace("\0", "\\0").Replace("\n", "\\n");

    public static string Preview(byte[] bytes) => Preview(Encoding.UTF8.GetString(bytes));

    /// <summary>A search query (the /api/search q, a hub JoinSearch): the query language's pieces, broken and whole, odd filters.</summary>
    public string SearchQuery(string userName)
    {
        string Piece() => Random.Next(12) switch
        {
            0 => "\"" + Ascii(Random.Next(0, 20)),
            1 => "-" + Pick("word", "\"a b\"", "", "-", "author:x"),
            2 => Pick("author:", "thread:", "after:", "before:", "x:", "AUTHOR:bob", "author:" + userName, "thread:" + TargetThreadId, "thread:" + ThreadId()),
            3 => Pick("after:", "before:") + Pick("2026-01-01", "2026-13-45", "0000-00-00", "9999-12-31", "yesterday", "2026-1-1", "-1"),
            4 => String() is { Length: < 700 } s ? s : "long",
            5 => new string('w', Pick(255, 256, 300, 499, 500, 501)),
            6 => string.Join(' ', Enumerable.Repeat("w", Pick(32, 33, 200))),
            7 => Pick("*", "?", "w*", "~", "a^2", "(a OR b)", "a AND b", "\\", "[a TO z]", "{}", "%", "\u0000"),
            _ => Pick("fuzz", "comment", "the", "zz", "é", "日本語", "🙂"),
        };
        return string.Join(Pick(" ", "  ", "\t", ""), Enumerable.Range(0, Random.Next(0, 6)).Select(_ => Piece()));
    }
}
