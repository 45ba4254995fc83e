namespace Chat.Web.Import;

/// <summary>The answer of an import: what it stored now, what an earlier run had stored, what it left out.</summary>
public sealed record ImportSummary(string ThreadId, int Imported, int Already, int Skipped, int Truncated, int Total);

/// <summary>A progress line: comments handed to the thread so far, of how many.</summary>
public sealed record ImportProgress(int Done, int Total);

/// <summary>
/// Stores an <see cref="ImportSource"/>: creates its thread unless an earlier run did, then hands the
/// comments to the thread grain 100 at a time (one table transaction's worth), reporting after each.
/// </summary>
/// <remarks>
/// Safe to run again at any point, also after it failed half way: the thread id and every comment's
/// key come from the source, and the grain skips keys it has stored.
/// </remarks>
public sealed class ImportRun(IGrainFactory grains, ILogger<ImportRun> logger)
{
    public async Task<ImportSummary> RunAsync(ImportSource source, string moderator, Func<ImportProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var thread = grains.GetGrain<IThreadGrain>(source.ThreadId);
        try
        {
            await thread.Create(new NewThread(source.Title, source.Url, source.Body, source.Author ?? moderator));
        }
        catch (ChatException e) when (e.Kind == ChatErrorKind.Conflict)
        {
            // An earlier run created it: carry on where that one got to.
        }

        int imported = 0, already = 0, done = 0;
        foreach (var chunk in source.Comments.Chunk(Limits.MaxBatchSize))
        {
            // Between chunks only: a chunk handed over is stored whole or reported as failed.
            cancellationToken.ThrowIfCancellationRequested();
            var result = await thread.Import(chunk);
            imported += result.Imported;
            already += result.Already;
            done += chunk.Length;
            logger.LogInformation("Import into thread {ThreadId} by {Moderator}: {Done}/{Total} comments", source.ThreadId, moderator, done, source.Comments.Count);
            if (progress is not null) await progress(new ImportProgress(done, source.Comments.Count));
        }
        var summary = new ImportSummary(source.ThreadId, imported, already, source.Skipped, source.Truncated, source.Total);
        logger.LogInformation("Import into thread {ThreadId} by {Moderator} done: {Imported} new, {Already} already there, {Skipped} skipped, {Truncated} truncated",
            summary.ThreadId, moderator, summary.Imported, summary.Already, summary.Skipped, summary.Truncated);
        return summary;
    }
}
