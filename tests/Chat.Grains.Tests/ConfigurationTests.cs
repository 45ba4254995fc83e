using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Chat.Grains.Tests;

/// <summary>The silo's configuration: a bad value stops it at start with a message naming the key.</summary>
[Trait(Lanes.Trait, Lanes.Pure)]
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("9")]
    public async Task A_silo_refuses_to_start_with_MaxFlushesInFlight_out_of_range_and_names_the_key(string value)
    {
        var error = await StartWith("Chat:Threads:MaxFlushesInFlight", value);

        Assert.Contains("Chat:Threads:MaxFlushesInFlight", error.Message);
        Assert.Contains("1 to 8", error.Message);
    }

    [Theory]
    [InlineData("Chat:Moderation:FlagsToHide", "0")]
    [InlineData("Chat:Limits:MentionsPerComment", "-1")]
    public async Task A_silo_refuses_to_start_with_a_bad_flag_or_mention_limit_and_names_the_key(string key, string value)
    {
        var error = await StartWith(key, value);

        Assert.Contains(key, error.Message);
    }

    /// <summary>
    /// The options are checked when the host starts (ValidateOnStart), before the silo does anything:
    /// no storage is touched and no port is opened (AddChatGrains brings no clustering: localhost
    /// clustering stands in, as test clusters bring their own).
    /// </summary>
    private static async Task<OptionsValidationException> StartWith(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddChatGrains(configuration, "UseDevelopmentStorage=true"));
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
