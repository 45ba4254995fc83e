using System.Net;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Chat.Security.Tests;

/// <summary>
/// Seeded random malformed requests to every HTTP endpoint: no 5xx, the host stays up, the victim
/// thread and the front page are unchanged, and only well-formed posts add comments.
/// </summary>
[Collection(FuzzCollection.Name)]
[Trait("Lane", Lanes.Storage)]
public sealed class HttpFuzzTests(FuzzFixture fixture, ITestOutputHelper output)
{
    private const int Cases = 300;

    private enum Auth { None, Bearer, CookieWithCsrfHeader, CookieWithoutCsrfHeader, GarbageBearer, GarbageCookie }

    private sealed record HttpCase(int Number, string Endpoint, HttpMethod Method, string Path, Auth Auth, string? ContentType, byte[]? Body)
    {
        public override string ToString() =>
            $"case {Number} [{Endpoint}] {Method} {FuzzInput.Preview(Path)} auth={Auth} content-type={ContentType ?? "(none)"} body={(Body is null ? "(none)" : FuzzInput.Preview(Body))}";
    }

    public static TheoryData<int> Seeds() => FuzzSeed.With();

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Malformed_requests_to_every_endpoint_get_no_5xx_and_change_nothing(int seed)
    {
        output.WriteLine(FuzzSeed.Describe(seed));
        var fuzz = new FuzzInput(new Random(seed), fixture.TargetThreadId, fixture.VictimThreadId);
        var victimBefore = await fixture.VictimSnapshotAsync();
        var frontBefore = await fixture.FrontPageSnapshotAsync();
        var targetBefore = await fixture.User.GetCommentsAsync(fixture.TargetThreadId);

        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = fixture.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var acceptedSeqs = new HashSet<long>();
        for (var i = 0; i < Cases; i++)
        {
            var c = NextCase(fuzz, i);
            using var request = new HttpRequestMessage(c.Method, c.Path);
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(c.Body);
                if (!string.IsNullOrEmpty(c.ContentType)) request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }
            switch (c.Auth)
            {
                case Auth.Bearer: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + fixture.User.Token); break;
                case Auth.GarbageBearer: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + fuzz.Ascii(fuzz.Random.Next(1, 400))); break;
                case Auth.CookieWithCsrfHeader:
                    request.Headers.TryAddWithoutValidation("Cookie", "chat.auth=" + fixture.AuthCookie);
                    request.Headers.TryAddWithoutValidation("X-Chat-Request", "1");
                    break;
                case Auth.CookieWithoutCsrfHeader: request.Headers.TryAddWithoutValidation("Cookie", "chat.auth=" + fixture.AuthCookie); break;
                case Auth.GarbageCookie:
                    request.Headers.TryAddWithoutValidation("Cookie", "chat.auth=" + Uri.EscapeDataString(fuzz.Ascii(fuzz.Random.Next(1, 400))));
                    request.Headers.TryAddWithoutValidation("X-Chat-Request", "1");
                    break;
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException ex) when (c.Body is not null && c.Body.Length <= 256 * 1024)
            {
                // Seen now and then: on a pooled connection after a request with an unread body
                // (ResponseEnded), or when the server refused a body early (e.g. JSON nested past the
                // depth limit) and closed while the client was still sending (broken pipe). The same
                // request on a fresh connection must then get a proper answer, or be cut the same
                // way while the server stays up.
                output.WriteLine($"{c}: {ex.Message} ({ex.InnerException?.Message}); sent again on a fresh connection");
                using var fresh = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
                using var again = new HttpRequestMessage(c.Method, c.Path);
                foreach (var header in request.Headers) again.Headers.TryAddWithoutValidation(header.Key, header.Value);
                again.Content = new ByteArrayContent(c.Body);
                if (!string.IsNullOrEmpty(c.ContentType)) again.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
                try { response = await fresh.SendAsync(again); }
                catch (HttpRequestException retryEx) when (retryEx.InnerException is IOException && ex.InnerException is IOException)
                {
                    // Cut while sending, twice: acceptable if the server is still answering.
                    using var health = await fresh.GetAsync("/health/live");
                    if (!health.IsSuccessStatusCode) failures.Add($"{c}: connection cut while sending, and /health/live then answered {(int)health.StatusCode}");
                    else output.WriteLine($"{c}: the server closed the connection while the body was being sent (twice); it stays up");
                    continue;
                }
                catch (Exception retryEx)
                {
                    failures.Add($"{c}: {ex.Message}, and again on a fresh connection: {retryEx.GetType().Name} {retryEx.Message}");
                    continue;
                }
            }
            catch (HttpRequestException ex) when (c.Body is { Length: > 256 * 1024 })
            {
                // Kestrel may answer 413 and close before reading a body over the limit.
                output.WriteLine($"{c}: connection closed on an oversized body ({ex.Message})");
                continue;
            }
            catch (Exception ex)
            {
                failures.Add($"{c}: {ex.GetType().Name} {ex.Message} {ex.InnerException?.GetType().Name} {ex.InnerException?.Message}");
                continue;
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var text = await response.Content.ReadAsStringAsync();
                if (status >= 500) failures.Add($"{c}: {status} {FuzzInput.Preview(text)}");
                if (c.Endpoint == "post comment" && status == 201)
                {
                    if (!c.Path.StartsWith($"/api/threads/{fixture.TargetThreadId}/", StringComparison.Ordinal))
                        failures.Add($"{c}: a post to a thread other than the target was accepted: {text}");
                    else acceptedSeqs.Add(JsonDocument.Parse(text).RootElement.GetProperty("seq").GetInt64());
                }
                if (c.Endpoint == "create thread" && status == 201) failures.Add($"{c}: an invalid thread was created: {text}");
                // Every refusal is a problem a person can read (204/304 and HEAD have no body). Not
                // 414: Kestrel refuses a request line over its 8 KB limit itself, before the app (an
                // overlong thread id with the ordered reads' 1,001 roots reached it once).
                if (status is >= 400 and < 500 && status != 405 && status != 414 && c.Path.StartsWith("/api/", StringComparison.Ordinal) && c.Method != HttpMethod.Head && !text.Contains("\"status\"", StringComparison.Ordinal))
                    failures.Add($"{c}: {status} without a problem body: {FuzzInput.Preview(text)}");
            }
        }
        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        output.WriteLine($"comments the fuzzer's well-formed posts added to the target: {acceptedSeqs.Count}");

        var context = FuzzSeed.Describe(seed);
        Assert.True(failures.Count == 0, $"{context}: {failures.Count} of {Cases} cases failed:\n" + string.Join("\n", failures.Take(30)));

        // Still up, still working.
        using (var live = await http.GetAsync("/health/live")) Assert.True(live.StatusCode == HttpStatusCode.OK, $"{context}: /health/live {(int)live.StatusCode}");
        var after = await fixture.User.PostCommentSeqAsync(fixture.TargetThreadId, 0, "a normal post after fuzzing");

        var victimAfter = await fixture.VictimSnapshotAsync();
        Assert.True(victimBefore == victimAfter, $"{context}: the victim thread changed:\n{victimBefore}\n---\n{victimAfter}");
        var frontAfter = await fixture.FrontPageSnapshotAsync();
        Assert.True(frontBefore.SequenceEqual(frontAfter), $"{context}: the front page changed:\n{string.Join("\n", frontBefore)}\n---\n{string.Join("\n", frontAfter)}");

        // The target holds exactly what was there, what the fuzzer's accepted posts returned, and the normal post.
        var targetAfter = await fixture.User.GetCommentsAsync(fixture.TargetThreadId);
        var expectedSeqs = targetBefore.Select(c => c.Seq).Concat(acceptedSeqs).Append(after).Order().ToArray();
        Assert.True(expectedSeqs.SequenceEqual(targetAfter.Select(c => c.Seq)),
            $"{context}: target seqs {string.Join(",", targetAfter.Select(c => c.Seq))}, expected {string.Join(",", expectedSeqs)}");
        Assert.True(targetAfter.All(c => c.Author == fixture.User.UserName && Limits.CheckBody(c.Body) is null), $"{context}: a stored comment breaks the rules");
    }

    /// <summary>What a reader controls: a comment's history, quieting, muting and following, with odd ids, seqs, names and bodies.</summary>
    private static HttpCase ControlsCase(FuzzInput fuzz, int number, Auth auth, string? contentType)
    {
        var id = Uri.EscapeDataString(fuzz.ThreadId());
        var seq = fuzz.Pick("1", "2", "0", "-1", "99999", "1.5", "x", "9223372036854775808");
        var name = Uri.EscapeDataString(fuzz.Pick("alice", "", "a b", "é", "x".PadRight(80, 'x'), "..", "%00", fuzz.JsonString()));
        var body = fuzz.Chance(50) ? null : fuzz.JunkBody();
        return fuzz.Random.Next(6) switch
        {
            0 => new(number, "history", HttpMethod.Get, $"/api/threads/{id}/comments/{seq}/history", auth, null, null),
            1 => new(number, "quiet", fuzz.Pick(HttpMethod.Post, HttpMethod.Delete), $"/api/threads/{id}/comments/{seq}/quiet", auth, contentType, body),
            2 => new(number, "mute", fuzz.Pick(HttpMethod.Post, HttpMethod.Delete), $"/api/users/{name}/mute", auth, contentType, body),
            3 => new(number, "follow", fuzz.Pick(HttpMethod.Post, HttpMethod.Delete), $"/api/threads/{id}/follow", auth, contentType, body),
            4 => new(number, "settings", HttpMethod.Put, "/api/me/settings", auth, contentType, body ?? Encoding.UTF8.GetBytes(fuzz.JsonObject(("autoFollow", () => fuzz.Pick("true", "false", "null", "1", "\"x\""))))),
            _ => new(number, "my lists", HttpMethod.Get, fuzz.Pick("/api/me/mutes", "/api/me/follows", "/api/me/quiet", "/api/me/settings"), auth, null, null),
        };
    }

    private HttpCase NextCase(FuzzInput fuzz, int number)
    {
        var auth = fuzz.Random.Next(20) switch
        {
            < 5 => Auth.None,
            < 11 => Auth.Bearer,
            < 16 => Auth.CookieWithCsrfHeader,
            16 => Auth.CookieWithoutCsrfHeader,
            17 or 18 => Auth.GarbageBearer,
            _ => Auth.GarbageCookie,
        };
        var contentType = fuzz.ContentType();
        byte[] Json(string json) => fuzz.Chance(12) ? fuzz.JunkBody() : Encoding.UTF8.GetBytes(json);
        string ValidName() => JsonSerializer.Serialize("f" + Guid.NewGuid().ToString("N")[..10]);
        const string validPassword = "\"correct horse battery\"";

        switch (fuzz.Random.Next(14))
        {
            case 0:
                return new(number, "register", HttpMethod.Post, "/api/auth/register", auth, contentType,
                    Json(fuzz.JsonObject(("userName", ValidName), ("password", () => validPassword))));
            case 1:
                return new(number, "login", HttpMethod.Post, "/api/auth/login", auth, contentType,
                    Json(fuzz.JsonObject(("userName", () => JsonSerializer.Serialize(fixture.User.UserName)), ("password", () => validPassword))));
            case 2:
                return new(number, "logout", HttpMethod.Post, "/api/auth/logout", auth, contentType, fuzz.Chance(50) ? null : fuzz.JunkBody());
            case 3:
                return new(number, "me", HttpMethod.Get, "/api/me", auth, null, null);
            case 4:
            {
                var query = new List<string>();
                if (fuzz.Chance(70)) query.Add("sort=" + fuzz.QueryValue("hot", "new"));
                if (fuzz.Chance(70)) query.Add("limit=" + fuzz.QueryValue("1", "30", "500"));
                if (fuzz.Chance(15)) query.Add("sort=hot&sort=new&limit=1&limit=2");
                return new(number, "list threads", HttpMethod.Get, "/api/threads?" + string.Join("&", query), auth, null, null);
            }
            case 5:
                return new(number, "create thread", HttpMethod.Post, "/api/threads", auth, contentType, InvalidThread(fuzz));
            case 6:
                return new(number, "get thread", HttpMethod.Get, "/api/threads/" + Uri.EscapeDataString(fuzz.ThreadId()), auth, null, null);
            case 7 when fuzz.Chance(40):
            {
                // Comments in an order: the first page, or the next by (fuzzed) top-level seqs.
                var query = new List<string>();
                if (fuzz.Chance(80)) query.Add("sort=" + fuzz.QueryValue("top", "new", "old"));
                if (fuzz.Chance(50)) query.Add("roots=" + fuzz.QueryValue("1", "1,2,3", "2,1", string.Join(",", Enumerable.Range(1, 1001)), "1,,2", "0", "-1", "9223372036854775807", "1;2"));
                if (fuzz.Chance(60)) query.Add("limit=" + fuzz.QueryValue("1", "200", "1000"));
                return new(number, "ordered comments", HttpMethod.Get, $"/api/threads/{Uri.EscapeDataString(fuzz.ThreadId())}/comments/ordered?" + string.Join("&", query), auth, null, null);
            }
            case 7:
            {
                var query = new List<string>();
                if (fuzz.Chance(70)) query.Add("after=" + fuzz.QueryValue("0", "1", "2", "100"));
                if (fuzz.Chance(70)) query.Add("limit=" + fuzz.QueryValue("1", "200", "1000"));
                return new(number, "list comments", HttpMethod.Get, $"/api/threads/{Uri.EscapeDataString(fuzz.ThreadId())}/comments?" + string.Join("&", query), auth, null, null);
            }
            case 8:
            {
                var id = fuzz.ThreadId();
                byte[] body;
                if (id == fixture.VictimThreadId)
                {
                    // Only input that no rule accepts reaches the victim.
                    body = fuzz.Random.Next(3) switch
                    {
                        0 => Encoding.UTF8.GetBytes($"{{\"parentSeq\":{fuzz.JsonValue()},\"body\":{fuzz.InvalidBodyJson()},\"clientId\":{fuzz.JsonValue()}}}"),
                        1 => Encoding.UTF8.GetBytes($"{{\"parentSeq\":0,\"body\":{fuzz.JsonString()},\"clientId\":{fuzz.InvalidClientIdJson()}}}"),
                        _ => fuzz.JunkBody(),
                    };
                }
                else if (fuzz.Chance(30))
                {
                    // Well-formed: may really be stored (on the target), and must then be counted.
                    contentType = "application/json";
                    body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { parentSeq = 0, body = "fuzz " + fuzz.Ascii(20), clientId = Guid.NewGuid().ToString("N") }));
                }
                else
                {
                    body = Json(fuzz.JsonObject(
                        ("parentSeq", () => fuzz.Pick("0", "1")),
                        ("body", () => JsonSerializer.Serialize("fuzz " + fuzz.Ascii(fuzz.Random.Next(1, 30)))),
                        ("clientId", () => JsonSerializer.Serialize(Guid.NewGuid().ToString("N")))));
                }
                return new(number, "post comment", HttpMethod.Post, $"/api/threads/{Uri.EscapeDataString(id)}/comments", auth, contentType, body);
            }
            case 9:
            {
                // Flags: the fuzzing user's own comments (refused), odd reasons, seqs and bodies; none may hide anything.
                var body = Json(fuzz.JsonObject(("reason", () => fuzz.Pick("\"spam\"", "\"abuse\"", "\"SPAM\"", "\"\"", "null", "1", "[]", fuzz.JsonString()))));
                // Path segments, not query values: a raw "%00" in a path is refused by Kestrel itself, before the app.
                var seq = fuzz.Pick("1", "2", "0", "-1", "99999", "1.5", "x", "9223372036854775808");
                return new(number, "flag", HttpMethod.Post, $"/api/threads/{Uri.EscapeDataString(fuzz.ThreadId())}/comments/{seq}/flag", auth, contentType, body);
            }
            case 10:
            {
                // The moderation queue: reading it, and decisions on odd ids, seqs and actions.
                if (fuzz.Chance(40)) return new(number, "mod queue", HttpMethod.Get, "/api/mod/flags", auth, null, null);
                var path = $"/api/mod/flags/{Uri.EscapeDataString(fuzz.ThreadId())}/{fuzz.Pick("1", "2", "-1", "x")}/{Uri.EscapeDataString(fuzz.Pick("hide", "restore", "dismiss", "HIDE", "delete", "hide x", "é"))}";
                return new(number, "mod decision", HttpMethod.Post, path, auth, contentType, fuzz.Chance(50) ? null : fuzz.JunkBody());
            }
            case 11 when fuzz.Chance(40):
                return ReadMarkCase(fuzz, number, auth, contentType);
            case 12 when fuzz.Chance(50):
                return SearchCase(fuzz, number, auth);
            case 11 when fuzz.Chance(50):
                return ControlsCase(fuzz, number, auth, contentType);
            default:
            {
                // Wrong methods on real paths, and paths that do not exist.
                var method = fuzz.Pick(HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Head, HttpMethod.Options, new HttpMethod("PROPFIND"), HttpMethod.Post, HttpMethod.Get);
                var path = fuzz.Pick("/api/threads", $"/api/threads/{fixture.VictimThreadId}", $"/api/threads/{fixture.VictimThreadId}/comments",
                    "/api/auth/login", "/api/me", "/api/nothing", "/api/threads/x/y/z", "/hubs/discussion", "/hubs/discussion/negotiate?negotiateVersion=" + fuzz.QueryValue("1"),
                    "/t/" + Uri.EscapeDataString(fuzz.ThreadId()), "/metrics", "/health/ready", "/%2e%2e/%2e%2e/etc/passwd", "/login?return=" + fuzz.QueryValue("/"));
                var withBody = method != HttpMethod.Get && method != HttpMethod.Head && fuzz.Chance(60);
                if (path.Contains(fixture.VictimThreadId) && method == HttpMethod.Post) withBody = false; // stays invalid: no body
                return new(number, "other", method, path, auth, withBody ? contentType : null, withBody ? fuzz.JunkBody() : null);
            }
        }
    }

    /// <summary>Searches: the query language's pieces, broken and whole, odd filters, sorts, limits and cursors.</summary>
    private HttpCase SearchCase(FuzzInput fuzz, int number, Auth auth)
    {
        var q = fuzz.SearchQuery(fixture.User.UserName!);
        var query = new List<string>();
        if (fuzz.Chance(90)) query.Add("q=" + (fuzz.Chance(85) ? Uri.EscapeDataString(q) : fuzz.QueryValue("x")));
        if (fuzz.Chance(40)) query.Add("sort=" + fuzz.QueryValue("relevance", "new"));
        if (fuzz.Chance(30)) query.Add("thread=" + Uri.EscapeDataString(fuzz.ThreadId()));
        if (fuzz.Chance(30)) query.Add("author=" + fuzz.QueryValue(fixture.User.UserName!, "pg@hn"));
        if (fuzz.Chance(40)) query.Add("limit=" + fuzz.QueryValue("1", "20", "50"));
        if (fuzz.Chance(30)) query.Add("cursor=" + fuzz.QueryValue("bzE6MjA", "bzE6OTk5OQ", "bzE6LTE", "bzE6MjA=", "=="));
        return new(number, "search", HttpMethod.Get, "/api/search?" + string.Join("&", query), auth, null, null);
    }

    /// <summary>The read marks ("new since your last visit"): read one, read many, move one (only a user's own marks change).</summary>
    private static HttpCase ReadMarkCase(FuzzInput fuzz, int number, Auth auth, string contentType)
    {
        var id = Uri.EscapeDataString(fuzz.ThreadId());
        return fuzz.Random.Next(3) switch
        {
            0 => new(number, "get read mark", HttpMethod.Get, $"/api/threads/{id}/read", auth, null, null),
            // Too many ids are well-formed ones: a list of 101 junk ids is longer than a URL may be.
            1 => new(number, "list read marks", HttpMethod.Get, "/api/read-marks?threads=" + string.Join(",", fuzz.Chance(20)
                    ? Enumerable.Range(0, ReadMark.MaxThreadsPerRequest + 1).Select(_ => Limits.NewThreadId())
                    : Enumerable.Range(0, fuzz.Pick(0, 1, 3)).Select(_ => Uri.EscapeDataString(fuzz.ThreadId()))) + fuzz.Pick("", ",", ",,x", "&threads=" + fuzz.QueryValue("a")), auth, null, null),
            _ => new(number, "mark read", HttpMethod.Put, $"/api/threads/{id}/read", auth, contentType,
                fuzz.Chance(15) ? fuzz.JunkBody() : Encoding.UTF8.GetBytes(fuzz.JsonObject(("seq", () => fuzz.Pick("0", "1", "2"))))),
        };
    }

    /// <summary>Thread creations that no rule accepts (so that the front page must not change).</summary>
    private static byte[] InvalidThread(FuzzInput fuzz)
    {
        var title = JsonSerializer.Serialize("fuzz " + fuzz.Ascii(10));
        var json = fuzz.Random.Next(6) switch
        {
            0 => $"{{\"title\":{fuzz.Pick("null", "\"\"", "\"  \"", JsonSerializer.Serialize(new string('t', Limits.TitleMaxLength + 1)), "1", "[]", "{}")},\"url\":{fuzz.JsonValue()},\"body\":{fuzz.JsonValue()}}}",
            1 => $"{{\"title\":{title},\"url\":{JsonSerializer.Serialize(fuzz.Pick("javascript:alert(1)", "notaurl", "//evil.example", "ftp://x.example/", "https://" + new string('u', Limits.UrlMaxLength), "data:,x", "http://"))}}}",
            2 => $"{{\"title\":{title},\"body\":{JsonSerializer.Serialize(new string('b', Limits.BodyMaxLength + 1))}}}",
            3 => $"{{\"title\":{title},\"url\":{fuzz.Pick("1", "[]", "{}", "true")}}}",
            4 => Encoding.UTF8.GetString(fuzz.JunkBody()),
            _ => $"{{\"title\":{fuzz.Pick("\"\\ud800\"", "\"\\udfff\"")},\"url\":{fuzz.Pick("\"javascript:x\"", "\"\\ud800\"")}}}",
        };
        return fuzz.Random.Next(6) == 0 ? fuzz.JunkBody() : Encoding.UTF8.GetBytes(json);
    }
}
