using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Chat.Grains.Tests;

/// <summary>The silo's configuration: a bad value stops it at start with a message naming the key.</summary>
[Trait("Lane", "pure")]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("9")]
    public void A_silo_refuses_to_start_with_MaxFlushesInFlight_out_of_range_and_names_the_key(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chat:Threads:MaxFlushesInFlight"] = value,
        }).Build();
        var host = Host.CreateApplicationBuilder();

        var error = Assert.Throws<InvalidOperationException>(() => host.UseOrleans(silo => silo.AddChatGrains(configuration, "UseDevelopmentStorage=true")));

        Assert.Contains("Chat:Threads:MaxFlushesInFlight", error.Message);
        Assert.Contains("1 to 8", error.Message);
    }

    [Theory]
    [InlineData("Chat:Moderation:FlagsToHide", "0")]
    [InlineData("Chat:Limits:MentionsPerComment", "-1")]
    public void A_silo_refuses_to_start_with_a_bad_flag_or_mention_limit_and_names_the_key(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var host = Host.CreateApplicationBuilder();

        var error = Assert.Throws<InvalidOperationException>(() => host.UseOrleans(silo => silo.AddChatGrains(configuration, "UseDevelopmentStorage=true")));

        Assert.Contains(key, error.Message);
    }
}
