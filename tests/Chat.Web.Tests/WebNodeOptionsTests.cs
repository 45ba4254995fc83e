using Chat.Web.Hosting;

namespace Chat.Web.Tests;

/// <summary>Chat:Web:DrainTimeout is checked at start: a bad value stops the node with a message naming the key and the range.</summary>
[Trait("Lane", Lanes.Pure)]
public sealed class WebNodeOptionsTests
{
    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:01:01")]
    public void A_drain_timeout_out_of_range_is_refused_naming_the_key(string value)
    {
        var result = new WebNodeOptionsValidator().Validate(null, new WebNodeOptions { DrainTimeout = TimeSpan.Parse(value) });
        Assert.True(result.Failed);
        Assert.Contains("Chat:Web:DrainTimeout", result.FailureMessage);
        Assert.Contains("00:00:00 (no drain) to 00:01:00", result.FailureMessage);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:10")]
    [InlineData("00:01:00")]
    public void A_drain_timeout_in_range_is_accepted(string value) =>
        Assert.True(new WebNodeOptionsValidator().Validate(null, new WebNodeOptions { DrainTimeout = TimeSpan.Parse(value) }).Succeeded);
}
