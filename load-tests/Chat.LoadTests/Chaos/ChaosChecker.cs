using Azure.Data.Tables;

namespace Chat.LoadTests.Chaos;

/// <summary>One invariant: what it says, how many cases broke it (0 = holds), and the first few of them.</summary>
public sealed record Invariant(string Name, long Violations, string[] Examples)
{
    public bool Holds => Violations == 0;
}

/// <summary>How long one fault hurt: until posting worked again and until every reader had what it missed (s from the fault's start; null = never).</summary>
public sealed record FaultImpact(string Fault, string Node, double Start, double End, double? PostingBackAfter, double? ReadersCaughtUpAfter,
    int FailedAttempts, int SpoiledPosts, string? Note);

/// <summary>A stored comment (the comments table: PartitionKey = thread id, RowKey = seq in 19 digits).</summary>
public sealed record StoredRow(long Seq, string ClientId, int BodyHash);

/// <summary>
/// Judges the whole history of a chaos run: what storage holds, what every poster was told and what
/// every reader was given, and, per fault, how long posting and delivery were hurt.
/// </summary>
public static class ChaosChecker
{
    public static async Task<List<StoredRow>> ReadStoredAsync(string connectionString, string threadId)
    {
        var table = new TableClient(connectionString, "comments");
        // Digits only: a thread's partition also holds vote rows ("-v…") and its points ("-thread").
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {threadId} and RowKey gt {new string('0', 19)} and RowKey le {new string('9', 19)}");
        var rows = new List<StoredRow>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "ClientId", "Body"]))
            rows.Add(new StoredRow(long.Parse(e.RowKey), e.GetString("ClientId") ?? "", ReaderRecord.BodyHash(e.GetString("Body") ?? "")));
        return rows;
    }

    public static List<Invariant> Invariants(IReadOnlyList<StoredRow> stored, IReadOnlyList<PostOutcome> posts, IReadOnlyList<PostAttempt> attempts,
        IReadOnlyList<(long Seq, int AtMs, int BodyHash)[]> readers)
    {
        var byClient = stored.GroupBy(r => r.ClientId).ToDictionary(g => g.Key, g => g.Select(r => r.Seq).ToList());
        var bySeq = stored.ToDictionary(r => r.Seq);
        var acked = posts.Where(p => p.Acked).ToList();

        var lost = acked.Where(p => !byClient.ContainsKey(p.ClientId)).Select(p => $"{p.ClientId} acked as seq {p.Seq}, not stored").ToList();
        var twice = acked.Where(p => byClient.TryGetValue(p.ClientId, out var seqs) && seqs.Count > 1)
            .Select(p => $"{p.ClientId} stored as seqs {string.Join(",", byClient[p.ClientId])}").ToList();
        var wrongSeq = acked.Where(p => byClient.TryGetValue(p.ClientId, out var seqs) && seqs.Count == 1 && seqs[0] != p.Seq)
            .Select(p => $"{p.ClientId} acked as seq {p.Seq}, stored as {byClient[p.ClientId][0]}").ToList();

        // One seq, two comments: two acks naming the same seq for different clientIds, or a reader
        // given a body under a seq that storage holds another body under.
        var sameSeq = attempts.Where(a => a.Outcome == "ack").GroupBy(a => a.Seq).Where(g => g.Select(a => a.ClientId).Distinct().Count() > 1)
            .Select(g => $"seq {g.Key} acked to {string.Join(",", g.Select(a => a.ClientId).Distinct())}").ToList();
        var holes = new List<string>();
        var maxSeq = stored.Count == 0 ? 0 : stored.Max(r => r.Seq);
        for (long s = 1; s <= maxSeq; s++) if (!bySeq.ContainsKey(s)) holes.Add($"seq {s} missing from storage below {maxSeq}");
        long otherBody = 0, incomplete = 0, repeated = 0, disordered = 0;
        var readerExamples = new List<string>();
        for (var r = 0; r < readers.Count; r++)
        {
            var given = readers[r];
            long expect = 1;
            foreach (var (seq, _, hash) in given)
            {
                if (bySeq.TryGetValue(seq, out var row) && row.BodyHash != hash) { otherBody++; Note(readerExamples, $"reader {r}: seq {seq} carried another comment"); }
                if (seq < expect) { repeated++; Note(readerExamples, $"reader {r}: seq {seq} again after {expect - 1}"); }
                else if (seq > expect) { disordered++; Note(readerExamples, $"reader {r}: seq {seq} before {expect}"); }
                expect = Math.Max(expect, seq + 1);
            }
            if (expect - 1 < maxSeq) { incomplete++; Note(readerExamples, $"reader {r}: ends at seq {expect - 1} of {maxSeq}"); }
        }

        // Told "refused" (a definite 4xx) yet stored, or acknowledged yet in the end reported failed.
        var ackedOnce = attempts.Where(a => a.Outcome == "ack").Select(a => a.ClientId).ToHashSet();
        var ackedAndFailed = posts.Where(p => !p.Acked && ((p.DefinitelyRefused && byClient.ContainsKey(p.ClientId)) || ackedOnce.Contains(p.ClientId)))
            .Select(p => $"{p.ClientId}: reported {p.LastOutcome}, yet stored").ToList();

        return
        [
            new("every acknowledged comment is stored", lost.Count, [.. lost.Take(5)]),
            new("... exactly once", twice.Count, [.. twice.Take(5)]),
            new("... under the seq its ack gave", wrongSeq.Count, [.. wrongSeq.Take(5)]),
            new("no seq carries two different comments", sameSeq.Count + otherBody, [.. sameSeq.Take(5), .. readerExamples.Where(e => e.Contains("another")).Take(5)]),
            new("seqs 1..N stored without a hole", holes.Count, [.. holes.Take(5)]),
            new("every reader ends with 1..N", incomplete, [.. readerExamples.Where(e => e.Contains("ends at")).Take(5)]),
            new("... each exactly once", repeated, [.. readerExamples.Where(e => e.Contains("again")).Take(5)]),
            new("... and in order", disordered, [.. readerExamples.Where(e => e.Contains("before")).Take(5)]),
            new("no post both acknowledged and reported failed", ackedAndFailed.Count, [.. ackedAndFailed.Take(5)]),
        ];
    }

    private static void Note(List<string> examples, string example) { if (examples.Count < 50) examples.Add(example); }

    /// <summary>
    /// Per fault: the posts it spoiled are those that failed (after their retries) or took longer
    /// than `slow` from first send to ack, and were still going `slow` after they were sent at or
    /// after the fault's start and before the next fault's (a post sent just before a fault that
    /// then hung is that fault's). Posting is back when the last of them ended (and a later post
    /// was acknowledged); readers have caught up when every reader holds the highest seq
    /// acknowledged by then. A post that failed over to another node within `slow` spoils nothing.
    /// </summary>
    public static List<FaultImpact> Impacts(IReadOnlyList<FaultRecord> faults, IReadOnlyList<PostAttempt> attempts, IReadOnlyList<PostOutcome> posts,
        IReadOnlyList<(long Seq, int AtMs, int BodyHash)[]> readers, TimeSpan slow)
    {
        var result = new List<FaultImpact>();
        var s = slow.TotalSeconds;
        var starts = faults.Where(f => f.Note?.StartsWith("skipped") != true).Select(f => f.Start).ToList();
        var lastAck = posts.Where(p => p.Acked).Select(p => p.End).DefaultIfEmpty(0).Max();
        for (var i = 0; i < faults.Count; i++)
        {
            var f = faults[i];
            if (f.Note?.StartsWith("skipped") == true) { result.Add(new(f.Fault, f.Node, f.Start, f.End, null, null, 0, 0, f.Note)); continue; }
            var next = starts.Where(x => x > f.Start).DefaultIfEmpty(double.MaxValue).Min();
            bool Mine(double sent) => sent + s >= f.Start && sent + s < next;
            var failed = attempts.Count(a => Mine(a.Start) && a.Outcome != "ack");
            var bad = posts.Where(p => Mine(p.Sent) && (!p.Acked || p.End - p.Sent > s)).ToList();
            var backAt = bad.Count == 0 ? f.Start : bad.Max(p => p.End);
            double? postingBack = bad.Count == 0 ? 0 : lastAck >= backAt ? backAt - f.Start : null;
            var target = posts.Where(p => p.Acked && p.End <= backAt + 0.001).Select(p => p.Seq).DefaultIfEmpty(0).Max();
            double? caughtUp = 0;
            foreach (var given in readers)
            {
                // Given in seq order, so seq s is normally at s - 1.
                var at = given.Length >= target && given[target - 1].Seq == target ? (int)target - 1 : Array.FindIndex(given, d => d.Seq == target);
                if (target == 0) break;
                if (at < 0) { caughtUp = null; break; }
                caughtUp = Math.Max(caughtUp.Value, given[at].AtMs / 1000.0 - f.Start);
            }
            result.Add(new(f.Fault, f.Node, f.Start, f.End, postingBack, caughtUp, failed, bad.Count, f.Note));
        }
        return result;
    }
}
