using Azure;
using Azure.Data.Tables;

namespace Chat.Grains.Storage;

/// <summary>
/// One row of the comments table: PartitionKey = thread id, RowKey = seq zero-padded to 19 digits,
/// so that a range query over a thread's partition returns its comments in seq order.
/// </summary>
internal sealed class CommentEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long ParentSeq { get; set; }
    public string Author { get; set; } = "";
    public string Body { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string ClientId { get; set; } = "";

    // Added with edit, delete and votes. Rows written before have none of them, which reads as
    // "never edited, not deleted, 0 points"; older readers ignore them.
    public DateTimeOffset? EditedAt { get; set; }
    public bool Deleted { get; set; }
    public long Points { get; set; }

    // Added with moderation; absent on older rows (= not hidden).
    public bool Hidden { get; set; }

    // Added with mentions: the mentioned users, space-separated (names have no spaces); absent = none.
    public string? Mentions { get; set; }

    public static string RowKeyOf(long seq) => seq.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static CommentEntity From(StoredComment c) => new()
    {
        PartitionKey = c.Comment.ThreadId,
        RowKey = RowKeyOf(c.Comment.Seq),
        ParentSeq = c.Comment.ParentSeq,
        Author = c.Comment.Author,
        Body = c.Comment.Body,
        CreatedAt = c.Comment.CreatedAt,
        ClientId = c.ClientId,
        EditedAt = c.Comment.EditedAt,
        Deleted = c.Comment.Deleted,
        Points = c.Comment.Points,
        Hidden = c.Comment.Hidden,
        Mentions = c.Comment.Mentions is { Length: > 0 } m ? string.Join(' ', m) : null,
    };

    public StoredComment ToStored() =>
        new(new Comment(PartitionKey, long.Parse(RowKey, System.Globalization.CultureInfo.InvariantCulture), ParentSeq, Author, Body, CreatedAt, EditedAt, Deleted, Points, Hidden,
            string.IsNullOrEmpty(Mentions) ? null : Mentions.Split(' ')), ClientId);
}
