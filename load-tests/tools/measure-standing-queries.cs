#:project ../../src/Chat.Grains/Chat.Grains.csproj
// Measures what a search shard spends per new comment on standing queries: matching the comment
// against N standing queries (StandingQueryNodes: anchor lookup, MemoryIndex, filters) and cutting
// the snippet of each match, as SearchShardGrain.AnnounceAll does, without the cluster around it.
//   dotnet run load-tests/tools/measure-standing-queries.cs -- [queries=1000] [comments=20000] [seed=2026]
// Comments and queries are drawn from one Zipf-distributed vocabulary of 5,000 words (common words
// are common in both, so popular queries match often), bodies 10-60 words; queries are 1-2 words,
// some phrases, some with an excluded word, some author: only. Prints per-comment percentiles.
using System.Diagnostics;
using Chat.Contracts.Search;
using Chat.Grains.Search;
using Microsoft.Extensions.Options;

var queries = args.Length > 0 ? int.Parse(args[0]) : 1000;
var comments = args.Length > 1 ? int.Parse(args[1]) : 20000;
var random = new Random(args.Length > 2 ? int.Parse(args[2]) : 2026);
var snippets = !args.Contains("--no-snippets");

var vocabulary = Enumerable.Range(0, 5000).Select(i => Word(i)).ToArray();
var weights = vocabulary.Select((_, i) => 1.0 / (i + 1)).ToArray();
var cumulative = new double[weights.Length];
for (double sum = 0, i = 0; i < weights.Length; i++) cumulative[(int)i] = sum += weights[(int)i];
string Draw() => vocabulary[Math.Min(vocabulary.Length - 1, Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]) is var at && at < 0 ? ~at : at)];
string Word(int i) { var s = ""; do { s += (char)('a' + i % 26); i /= 26; } while (i > 0); return "w" + s; }
var authors = Enumerable.Range(0, 200).Select(i => "user" + i).ToArray();

var nodes = new StandingQueryNodes(TimeProvider.System, TimeSpan.FromMinutes(10));
var observer = new NoObserver();
var standing = new List<StandingQuery>();
for (var i = 0; i < queries; i++)
{
    var text = random.Next(20) switch
    {
        < 10 => Draw(),
        < 14 => Draw() + " " + Draw(),
        < 17 => $"\"{Draw()} {Draw()}\"",
        < 19 => Draw() + " -" + Draw(),
        _ => "author:" + authors[random.Next(authors.Length)],
    };
    standing.Add(StandingQuery.Of(SearchQuery.Parse(text)));
}
nodes.Watch("node", observer, [.. standing], replace: true);
var engine = new LuceneSearchEngine(Options.Create(new SearchOptions()), new SearchCopies(null));

var docs = Enumerable.Range(0, comments).Select(i => new SearchDocument("t" + i % 500, 1 + i, "title",
    string.Join(' ', Enumerable.Range(0, random.Next(10, 61)).Select(_ => Draw())), authors[random.Next(authors.Length)], DateTimeOffset.UtcNow, 0, 1)).ToList();

// Warm up (JIT, analyzer), then measure.
foreach (var d in docs.Take(500)) Announce(d);
var micros = new List<double>(docs.Count);
long matches = 0;
var total = Stopwatch.StartNew();
foreach (var d in docs)
{
    var started = Stopwatch.GetTimestamp();
    matches += Announce(d);
    micros.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
}
total.Stop();
micros.Sort();
double P(double p) => micros[Math.Min(micros.Count - 1, (int)(p * micros.Count))];
Console.WriteLine($"standing queries: {queries} ({nodes.Queries} distinct), comments: {comments}");
Console.WriteLine($"per comment (µs): p50 {P(0.50):F0}, p90 {P(0.90):F0}, p99 {P(0.99):F0}, max {micros[^1]:F0}, mean {micros.Average():F0}");
Console.WriteLine($"matches per comment: {(double)matches / comments:F2}; one core matches {comments / total.Elapsed.TotalSeconds:F0} comments/s");

int Announce(SearchDocument d)
{
    var n = 0;
    foreach (var (_, found) in nodes.Match(d))
        foreach (var (_, query) in found) { if (snippets) engine.Snippet(query, d.Text); n++; }
    return n;
}

sealed class NoObserver : IStandingQueryObserver
{
    public Task OnSearchMatches(StandingMatch[] matches) => Task.CompletedTask;
    public Task OnSearchWithdrawn(string threadId, long seq) => Task.CompletedTask;
}
