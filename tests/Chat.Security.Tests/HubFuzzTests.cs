using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Chat.Security.Tests;

/// <summary>
/// Seeded random calls to the hub: the real methods with wrong argument counts and types, huge and
/// negative numbers, invalid ids and 1 MB strings; unknown method names; and raw WebSocket frames
/// no client library sends (invalid JSON, lone surrogates as raw bytes, deep nesting). Every call
/// ends in a result, a HubException with a readable message, or a clean close; the server keeps
/// accepting connections and the victim thread does not change.
/// </summary>
[Collection(FuzzCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class HubFuzzTests(FuzzFixture fixture, ITestOutputHelper output)
{
    private const int InvocationCases = 100;
    private const int RawFrameCases = 30;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public static TheoryData<int> Seeds() => FuzzSeed.With(FuzzSeed.HubCaseInsensitivePost);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Malformed_hub_calls_get_a_hub_error_or_a_clean_close_and_change_nothing(int seed)
    {
        output.WriteLine(FuzzSeed.Describe(seed));
        var context = FuzzSeed.Describe(seed);
        var fuzz = new FuzzInput(new Random(seed), fixture.TargetThreadId, fixture.VictimThreadId);
        var victimBefore = await fixture.VictimSnapshotAsync();
        var frontBefore = await fixture.FrontPageSnapshotAsync();
        var targetBefore = await fixture.User.GetCommentsAsync(fixture.TargetThreadId);

        var failures = new List<string>();
        var outcomes = new SortedDictionary<string, int>();
        var acceptedSeqs = new HashSet<long>();
        var signedIn = await ConnectAsync(fixture.User.Token);
        var anonymous = await ConnectAsync(null);
        var reconnects = 0;
        for (var i = 0; i < InvocationCases; i++)
        {
            var useSignedIn = fuzz.Chance(70);
            var connection = useSignedIn ? signedIn : anonymous;
            var (method, args) = NextInvocation(fuzz);
            var description = $"case {i} {(useSignedIn ? "signed-in" : "anonymous")} {FuzzInput.Preview(method)}({string.Join(", ", args.Select(Describe))})";
            string outcome;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                using var cts = new CancellationTokenSource(CallTimeout);
                var result = await connection.InvokeCoreAsync(method, typeof(JsonElement), args, cts.Token);
                outcome = "result";
                // SignalR matches names case-insensitively: "POSTCOMMENT" posts too.
                if (method.Equals("PostComment", StringComparison.OrdinalIgnoreCase) && result is JsonElement json && json.TryGetProperty("seq", out var seq))
                {
                    if (args[0] as string != fixture.TargetThreadId) failures.Add($"{description}: a post to a thread other than the target was accepted: {json}");
                    else acceptedSeqs.Add(seq.GetInt64());
                }
            }
            catch (HubException ex)
            {
                outcome = "HubException";
                // A 5xx in HTTP terms: the server failed rather than refused.
                if (IsServerFailure(ex.Message)) failures.Add($"{description}: server error {ex.Message}");
            }
            catch (OperationCanceledException) when (connection.State == HubConnectionState.Connected)
            {
                failures.Add($"{description}: no answer within {CallTimeout.TotalSeconds} s");
                continue;
            }
            catch (Exception ex) when (connection.State != HubConnectionState.Connected)
            {
                outcome = "connection closed";
                output.WriteLine($"{description}: connection closed ({ex.GetType().Name}: {FuzzInput.Preview(ex.Message)})");
            }
            catch (Exception ex)
            {
                failures.Add($"{description}: {ex.GetType().Name} {ex.Message}");
                continue;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (elapsed > TimeSpan.FromSeconds(1)) output.WriteLine($"{description}: {outcome} after {elapsed.TotalSeconds:0.0} s");

            if (connection.State != HubConnectionState.Connected)
            {
                // Closed by the server (e.g. a message over 64 KB): a new connection must be accepted.
                reconnects++;
                await connection.DisposeAsync();
                try
                {
                    if (useSignedIn) signedIn = await ConnectAsync(fixture.User.Token);
                    else anonymous = await ConnectAsync(null);
                }
                catch (Exception ex)
                {
                    Assert.Fail($"{context}: after {description} the server refused a new connection: {ex}");
                }
            }
        }

        for (var i = 0; i < RawFrameCases; i++)
        {
            var (frame, binary) = NextRawFrame(fuzz);
            var description = $"raw case {i} {(binary ? "binary" : "text")} frame {FuzzInput.Preview(frame)}";
            try
            {
                var outcome = await SendRawFrameAsync(frame, binary);
                outcomes["raw: " + outcome.Split(':')[0]] = outcomes.GetValueOrDefault("raw: " + outcome.Split(':')[0]) + 1;
                if (IsServerFailure(outcome)) failures.Add($"{description}: server error {outcome}");
            }
            catch (Exception ex)
            {
                failures.Add($"{description}: {ex.GetType().Name} {ex.Message}");
            }
        }
        output.WriteLine("outcomes: " + string.Join(", ", outcomes.Select(o => $"{o.Key}×{o.Value}")) + $"; reconnects: {reconnects}; accepted posts: {acceptedSeqs.Count}");
        Assert.True(failures.Count == 0, $"{context}: {failures.Count} hub cases failed:\n" + string.Join("\n", failures.Take(30)));

        // The hub still works for a normal reader and poster.
        using (var cts = new CancellationTokenSource(CallTimeout))
        {
            var joined = await signedIn.InvokeCoreAsync("JoinThread", typeof(JsonElement), [fixture.VictimThreadId, 0L], cts.Token);
            Assert.True(joined is JsonElement j && j.GetProperty("comments").GetArrayLength() == 2, $"{context}: join after fuzzing returned {joined}");
            var posted = (JsonElement)(await signedIn.InvokeCoreAsync("PostComment", typeof(JsonElement), [fixture.TargetThreadId, 0L, "a normal hub post after fuzzing", Guid.NewGuid().ToString("N")], cts.Token))!;
            acceptedSeqs.Add(posted.GetProperty("seq").GetInt64());
        }
        await signedIn.DisposeAsync();
        await anonymous.DisposeAsync();
        using (var http = new HttpClient { BaseAddress = fixture.BaseAddress })
            Assert.True((await http.GetAsync("/health/live")).IsSuccessStatusCode, $"{context}: /health/live failed after fuzzing");

        var victimAfter = await fixture.VictimSnapshotAsync();
        Assert.True(victimBefore == victimAfter, $"{context}: the victim thread changed:\n{victimBefore}\n---\n{victimAfter}");
        var frontAfter = await fixture.FrontPageSnapshotAsync();
        Assert.True(frontBefore.SequenceEqual(frontAfter), $"{context}: the front page changed");
        var targetAfter = await fixture.User.GetCommentsAsync(fixture.TargetThreadId);
        var expected = targetBefore.Select(c => c.Seq).Concat(acceptedSeqs).Order().ToArray();
        Assert.True(expected.SequenceEqual(targetAfter.Select(c => c.Seq)),
            $"{context}: target seqs {string.Join(",", targetAfter.Select(c => c.Seq))}, expected {string.Join(",", expected)}");
        Assert.True(targetAfter.All(c => c.Author == fixture.User.UserName && Limits.CheckBody(c.Body) is null), $"{context}: a stored comment breaks the rules");
    }

    /// <summary>
    /// A refusal arrives as "An unexpected error occurred invoking 'X' on the server. HubException: text";
    /// a server failure has no HubException text (SignalR hides it) or our 500 wording.
    /// </summary>
    private static bool IsServerFailure(string message) =>
        message.Contains("Something went wrong on our side", StringComparison.Ordinal)
        || (message.Contains("An unexpected error occurred", StringComparison.Ordinal) && !message.Contains("HubException: ", StringComparison.Ordinal));

    private async Task<HubConnection> ConnectAsync(string? token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(fixture.BaseAddress, "/hubs/discussion"), o =>
            {
                if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await connection.StartAsync(cts.Token);
        return connection;
    }

    private (string Method, object?[] Args) NextInvocation(FuzzInput fuzz)
    {
        var method = fuzz.Random.Next(10) switch
        {
            < 3 => "PostComment",
            < 5 => "JoinThread",
            < 7 => "LeaveThread",
            // SignalR matches names case-insensitively.
            7 => fuzz.Pick("jointhread", "POSTCOMMENT", "Typing", "typing", "JoinFrontPage", "LeaveFrontPage", "JoinInbox", "MarkRead", "markread", "GetReadMarks", "JoinThreadOrdered", "jointhreadordered",
                "FlagComment", "flagcomment", "JoinModQueue", "DecideFlags", "JoinSearch", "joinsearch", "LeaveSearch"),
            _ => fuzz.Pick("Unknown", "OnConnectedAsync", "OnDisconnectedAsync", "Dispose", "ToString", "GetHashCode", "Context",
                "JoinThread\0", new string('M', 5000), "Groups.AddToGroupAsync", "comments", "viewers"),
        };
        var expected = method.ToLowerInvariant() switch { "postcomment" => 4, "jointhread" or "jointhreadordered" => 2, "flagcomment" or "decideflags" or "joinsearch" => 3, "leavethread" or "joinfrontpage" or "getreadmarks" => 1, "leavefrontpage" or "joininbox" or "joinmodqueue" or "leavesearch" => 0, _ => 2 };
        var count = fuzz.Chance(65) ? expected : fuzz.Random.Next(0, 7);
        var args = new object?[count];
        for (var i = 0; i < count; i++)
        {
            args[i] = (method.ToLowerInvariant(), i) switch
            {
                ("getreadmarks", 0) when fuzz.Chance(50) => fuzz.Pick<object?>(new[] { fuzz.ThreadId(), fuzz.ThreadId() }, Array.Empty<string>(), new string?[] { null }, Enumerable.Range(0, 101).Select(_ => fuzz.ThreadId()).ToArray()),
                ("joinsearch", 0) when fuzz.Chance(70) => fuzz.SearchQuery(fixture.User.UserName!),
                ("joinsearch", 1) when fuzz.Chance(50) => fuzz.Pick<object?>(null, fuzz.ThreadId(), fixture.TargetThreadId),
                ("joinsearch", 2) when fuzz.Chance(50) => fuzz.Pick<object?>(null, "", fixture.User.UserName, "pg@hn"),
                (_, 0) when fuzz.Chance(70) => fuzz.ThreadId(),
                ("flagcomment", 2) when fuzz.Chance(50) => fuzz.Pick<object?>("spam", "abuse", "off-topic", "other", "SPAM", ""),
                ("decideflags", 2) when fuzz.Chance(50) => fuzz.Pick<object?>("hide", "restore", "dismiss", "HIDE"),
                ("postcomment", 1) or ("jointhread", 1) or ("typing", 1) or ("flagcomment", 1) or ("decideflags", 1) or ("markread", 1) when fuzz.Chance(60) => fuzz.Pick<object?>(0L, 1L, -1L, long.MinValue, long.MaxValue, 99999L),
                ("postcomment", 2) when fuzz.Chance(50) => "hub fuzz " + fuzz.Ascii(fuzz.Random.Next(1, 30)),
                ("postcomment", 3) when fuzz.Chance(50) => Guid.NewGuid().ToString("N"),
                ("jointhreadordered", 1) when fuzz.Chance(60) => fuzz.Pick<object?>("top", "new", "old", "TOP", "", "best", null),
                _ => Argument(fuzz),
            };
        }
        // Only input that no rule accepts reaches the victim thread.
        if (method.Equals("PostComment", StringComparison.OrdinalIgnoreCase) && count == 4 && args[0] as string == fixture.VictimThreadId)
            args[2] = fuzz.InvalidBodyArgument();
        return (method, args);
    }

    private static object? Argument(FuzzInput fuzz) => fuzz.Random.Next(12) switch
    {
        0 => null,
        1 => fuzz.String(),
        2 => fuzz.Pick<object>(long.MinValue, -1L, 0L, long.MaxValue, int.MaxValue),
        3 => fuzz.Pick<object>(1.5, -0.0, 1e300, double.Epsilon),
        4 => fuzz.Chance(50),
        5 => new[] { 1, 2, 3 },
        6 => new Dictionary<string, object?> { ["threadId"] = fuzz.ThreadId(), ["body"] = fuzz.String() },
        7 => Nested(fuzz.Random.Next(1, 60)),
        8 => new string('x', 1_000_000),
        9 => Guid.NewGuid(),
        10 => DateTimeOffset.MinValue,
        _ => fuzz.ThreadId(),
    };

    private static object Nested(int depth)
    {
        object value = 1;
        for (var i = 0; i < depth; i++) value = new object[] { value };
        return value;
    }

    private static string Describe(object? arg) => arg switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(FuzzInput.Preview(s)),
        _ => FuzzInput.Preview(JsonSerializer.Serialize(arg)),
    };

    private static (byte[] Frame, bool Binary) NextRawFrame(FuzzInput fuzz)
    {
        const char rs = '\u001e';
        var frame = fuzz.Random.Next(12) switch
        {
            0 => "{" + rs,
            1 => "not json at all" + rs,
            2 => "{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinThread\",\"arguments\":[\"\\ud800\",0]}" + rs,
            3 => "{\"type\":1,\"invocationId\":\"1\",\"target\":\"PostComment\",\"arguments\":[\"" + fuzz.ThreadId() + "\",0,\"\\udfff\",\"c\"]}" + rs,
            4 => "{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinThread\",\"arguments\":" + fuzz.DeepNesting() + "}" + rs,
            5 => "{\"type\":99}" + rs,
            6 => "{\"type\":1,\"target\":\"JoinThread\",\"arguments\":[" + fuzz.JsonValue() + "," + fuzz.JsonNumber() + "]}" + rs,
            7 => "{\"type\":1,\"invocationId\":" + fuzz.JsonValue() + ",\"target\":" + fuzz.JsonValue() + ",\"arguments\":" + fuzz.JsonValue() + "}" + rs,
            8 => "{\"type\":1,\"invocationId\":\"1\",\"target\":\"LeaveThread\",\"arguments\":[\"" + fuzz.ThreadId() + "\"]}",  // no separator
            9 => "\0\0\0" + rs,
            10 => "{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinThread\",\"arguments\":[\"" + fuzz.ThreadId() + "\"," + fuzz.JsonNumber() + "]}" + rs,
            _ => "{\"type\":1,\"invocationId\":\"1\",\"target\":\"PostComment\",\"arguments\":[\"" + fixture_victim_marker + "\",0,\"\",\"c\"]}" + rs,
        };
        var bytes = Encoding.UTF8.GetBytes(frame);
        if (fuzz.Chance(15)) bytes = [.. bytes.Take(bytes.Length / 2), 0xff, 0xc3, 0x28, .. bytes.Skip(bytes.Length / 2)]; // invalid UTF-8
        return (bytes, fuzz.Chance(20));
    }

    /// <summary>Replaced by the victim's id when sent: raw posts to it carry an empty body.</summary>
    private const string fixture_victim_marker = "@victim@";

    /// <summary>
    /// Negotiates, handshakes and sends one frame on a bare WebSocket; returns what came back first
    /// ("message: ..." or "closed: ...") after a ping, so a server that swallowed the frame still answers.
    /// </summary>
    private async Task<string> SendRawFrameAsync(byte[] frame, bool binary)
    {
        frame = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(frame)).Length == frame.Length
            ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(frame).Replace(fixture_victim_marker, fixture.VictimThreadId))
            : frame;
        using var http = new HttpClient { BaseAddress = fixture.BaseAddress };
        var negotiate = await http.PostAsync("/hubs/discussion/negotiate?negotiateVersion=1", null);
        negotiate.EnsureSuccessStatusCode();
        var token = (await negotiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();
        using var ws = new ClientWebSocket();
        using var cts = new CancellationTokenSource(CallTimeout);
        var wsUri = new UriBuilder(new Uri(fixture.BaseAddress, "/hubs/discussion")) { Scheme = "ws", Query = "id=" + token }.Uri;
        await ws.ConnectAsync(wsUri, cts.Token);
        await ws.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, cts.Token);
        var handshake = await ReceiveAsync(ws, cts.Token);
        if (!handshake.StartsWith("message: {}", StringComparison.Ordinal)) return "handshake: " + handshake;

        await ws.SendAsync(frame, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cts.Token);
        // A frame may get no answer of its own (unknown types, invocations without an id), so a
        // well-formed call follows it: its completion (or a close) ends the case.
        if (ws.State == WebSocketState.Open)
        {
            try { await ws.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"probe\",\"target\":\"LeaveThread\",\"arguments\":[\"{fixture.TargetThreadId}\"]}}\u001e"), WebSocketMessageType.Text, true, cts.Token); }
            catch (WebSocketException) { /* closed meanwhile: the receive below says how */ }
        }
        var answers = new List<string>();
        // Some frames leave the connection waiting for more (no record separator) or are dropped
        // silently: the server answers nothing and closes the connection at its client timeout.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        quiet.CancelAfter(TimeSpan.FromSeconds(1.5));
        while (true)
        {
            string answer;
            try { answer = await ReceiveAsync(ws, quiet.Token); }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested) { return "ignored: " + string.Join(" | ", answers); }
            answers.Add(answer);
            if (answer.StartsWith("closed", StringComparison.Ordinal)) return "closed: " + string.Join(" | ", answers);
            if (answer.Contains("\"invocationId\":\"probe\"", StringComparison.Ordinal)) break;
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);
        return "answered: " + string.Join(" | ", answers);
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket ws, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var result = await ws.ReceiveAsync(buffer, cancellationToken);
            return result.MessageType == WebSocketMessageType.Close
                ? $"closed: {result.CloseStatus} {result.CloseStatusDescription}"
                : "message: " + Encoding.UTF8.GetString(buffer, 0, result.Count);
        }
        catch (WebSocketException ex)
        {
            return "closed: " + ex.Message;
        }
    }
}
