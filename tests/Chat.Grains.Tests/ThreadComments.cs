namespace Chat.Grains.Tests;

/// <summary>Comments to post and a read of one comment, shared by the thread grain's test classes.</summary>
internal static class ThreadComments
{
    /// <summary>Comment number i (body "comment i", clientId "client-i"), by alice unless told.</summary>
    public static NewComment Comment(int i, long parent = 0, string author = "alice") => new(parent, author, $"comment {i}", $"client-{i}");

    /// <summary>The comment with this seq, as a reader reads it.</summary>
    public static async Task<Comment> OnlyComment(IThreadGrain thread, long seq) =>
        (await thread.GetComments(seq - 1, 1)).Comments.Single();
}
