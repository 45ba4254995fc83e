namespace Chat.Security.Tests;

/// <summary>One app for both fuzzers, which run one after the other (each compares its own before and after).</summary>
[CollectionDefinition(Name)]
public sealed class FuzzCollection : ICollectionFixture<FuzzFixture>
{
    public const string Name = "fuzz";
}
