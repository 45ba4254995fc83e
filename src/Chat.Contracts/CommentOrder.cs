namespace Chat.Contracts;

/// <summary>
/// The orders a thread page can show its comments in. "old" is seq order (the order of the log and
/// of every push); "new" is newest first at every level; "top" puts each parent's replies, and the
/// top-level comments, by points (most first; a tie goes to the older comment).
/// </summary>
public static class CommentOrder
{
    public const string Top = "top";
    public const string New = "new";
    public const string Old = "old";

    /// <summary>Null for a known order, else the error message.</summary>
    public static string? Check(string? order) =>
        order is Top or New or Old ? null : "sort must be 'top', 'new' or 'old'.";

    /// <summary>Where sibling a goes relative to sibling b in the order (negative: before).</summary>
    public static Comparison<Comment> Siblings(string order) => order switch
    {
        Top => static (a, b) => a.Points != b.Points ? b.Points.CompareTo(a.Points) : a.Seq.CompareTo(b.Seq),
        New => static (a, b) => b.Seq.CompareTo(a.Seq),
        _ => static (a, b) => a.Seq.CompareTo(b.Seq),
    };
}
