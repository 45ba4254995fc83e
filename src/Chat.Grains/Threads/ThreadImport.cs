using Chat.Grains.Storage;

namespace Chat.Grains.Threads;

/// <summary>
/// A moderator's import into one thread: checks a whole call before queuing anything, skips comments
/// an earlier import stored (by source key), and posts the rest in waves of comments whose parents
/// have seqs, each wave through the thread's own post (same group commit, de-duplication and
/// notification of open pages as any post).
/// </summary>
internal sealed class ThreadImport(string threadId, ICommentLog log, Func<NewComment, Task<long>> post)
{
    // Source key (the stored clientId of imported comments) -> seq. Read from the log on the first
    // import after activation, so it holds across restarts; null again after a failed write, whose
    // rows may have landed anyway.
    private Task<Dictionary<string, long>>? _importedSeqs;

    public async Task<ImportResult> ImportAsync(ImportedComment[] comments)
    {
        if (comments.Length > Limits.MaxPageSize)
            throw ChatException.Invalid($"At most {Limits.MaxPageSize} imported comments per call, got {comments.Length}.");
        var known = await ImportedSeqsAsync();

        // Everything is checked before anything is queued: a bad call stores nothing.
        var inCall = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in comments)
        {
            if (Limits.CheckClientId(c.Key) is { } keyError) throw ChatException.Invalid($"Imported comment key: {keyError}");
            if (!ImportedAuthor.Is(c.Author))
                throw ChatException.Invalid($"Imported comment {c.Key}: author '{c.Author}' is not a display name (name@source).");
            if (Limits.CheckBody(c.Body) is { } bodyError) throw ChatException.Invalid($"Imported comment {c.Key}: {bodyError}");
            if (c.ParentKey is not null && !known.ContainsKey(c.ParentKey) && !inCall.Contains(c.ParentKey))
                throw ChatException.Invalid($"Imported comment {c.Key} replies to {c.ParentKey}, which is neither imported nor earlier in this call.");
            if (!inCall.Add(c.Key)) throw ChatException.Invalid($"Imported comment {c.Key} appears twice.");
        }

        var remaining = comments.Where(c => !known.ContainsKey(c.Key)).ToList();
        var already = comments.Length - remaining.Count;
        var imported = 0;
        // A reply needs its parent's seq, which exists only once the parent is stored.
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(c => c.ParentKey is null || known.ContainsKey(c.ParentKey)).ToList();
            if (wave.Count == 0) throw ChatException.Invalid("Imported comments must come after the comment they reply to.");
            var posts = wave.Select(c => post(new NewComment(c.ParentKey is null ? 0 : known[c.ParentKey], c.Author, c.Body, c.Key, c.CreatedAt))).ToArray();
            long[] seqs;
            try
            {
                seqs = await Task.WhenAll(posts);
            }
            catch
            {
                _importedSeqs = null;
                throw;
            }
            for (var i = 0; i < wave.Count; i++) known[wave[i].Key] = seqs[i];
            imported += wave.Count;
            remaining.RemoveAll(c => known.ContainsKey(c.Key));
        }
        return new ImportResult(imported, already);
    }

    private Task<Dictionary<string, long>> ImportedSeqsAsync()
    {
        if (_importedSeqs is null || _importedSeqs.IsFaulted) _importedSeqs = ReadImportedSeqsAsync();
        return _importedSeqs;
    }

    private async Task<Dictionary<string, long>> ReadImportedSeqsAsync()
    {
        try
        {
            var seqs = new Dictionary<string, long>(StringComparer.Ordinal);
            // Only imported authors' rows: a user may pick any clientId, including "hn-1".
            foreach (var c in await log.ReadAllAfterAsync(threadId, 0))
                if (ImportedAuthor.Is(c.Comment.Author)) seqs.TryAdd(c.ClientId, c.Comment.Seq);
            return seqs;
        }
        catch (CommentLogUnavailableException)
        {
            throw ChatException.StorageUnavailable();
        }
    }
}
