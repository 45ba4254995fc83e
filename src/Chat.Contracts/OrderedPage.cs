namespace Chat.Contracts;

/// <summary>
/// A page of a thread's comments in an order (<see cref="CommentOrder"/>): whole subtrees of
/// top-level comments, each top-level comment followed by its replies in that order, depth first.
/// Roots is the order of every top-level comment, on the first page only (empty on the others): a
/// reader asks for the next pages by these seqs, so the order a reader pages through stays the one
/// it started with while votes change points. Served are the top-level comments whose subtrees this
/// page holds, in order.
/// </summary>
[GenerateSerializer, Immutable, Alias("Chat.OrderedPage")]
public sealed record OrderedPage(
    [property: Id(0)] Comment[] Comments,
    [property: Id(1)] long[] Roots,
    [property: Id(2)] long[] Served,
    [property: Id(3)] long LastSeq);
