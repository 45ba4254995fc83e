using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chat.Contracts;

/// <summary>
/// Every options class of ours is registered the same way: bound to its section, checked by its
/// validator, and checked when the host starts (ValidateOnStart), so that a bad value stops the
/// process at start with a message that names the key and says what to set, instead of a silo that
/// never joins or a limit that silently does nothing. Here because grains, both hosts and the web
/// node all register options, and this is the one assembly they all see.
/// </summary>
public static class ChatOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, validates it with
    /// <typeparamref name="TValidator"/> and checks it at start. Safe to call twice (a co-hosted web
    /// node and its silo both bind Chat:Limits): the validator is registered once.
    /// </summary>
    public static OptionsBuilder<TOptions> AddChatOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>The same, for options with nothing to check beyond what binding checks (a value of the wrong type).</summary>
    public static OptionsBuilder<TOptions> AddChatOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();

    /// <summary>The failures, one per bad key, as one result (every bad key is reported at once, not one per restart).</summary>
    public static ValidateOptionsResult Result(IEnumerable<string?> failures) =>
        failures.Where(f => f is not null).ToList() is { Count: > 0 } list ? ValidateOptionsResult.Fail(list!) : ValidateOptionsResult.Success;
}
