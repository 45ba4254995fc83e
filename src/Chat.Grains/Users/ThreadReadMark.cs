// Namespace Chat.Grains, not the folder's: grain storage's JSON names the CLR type of what it
// stores, so rows written before this file moved must still find it here.
namespace Chat.Grains;

/// <summary>One thread's read mark in a user's state; ReadAt (when it last moved) decides which marks go when there are too many.</summary>
[GenerateSerializer, Immutable, Alias("Chat.ThreadReadMark")]
public sealed record ThreadReadMark(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset ReadAt);
