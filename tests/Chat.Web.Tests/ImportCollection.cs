namespace Chat.Web.Tests;

/// <summary>The import test classes share one <see cref="ImportSite"/>, as they did when they were one class.</summary>
[CollectionDefinition(Name)]
public sealed class ImportCollection : ICollectionFixture<ImportSite>
{
    public const string Name = "import";
}
