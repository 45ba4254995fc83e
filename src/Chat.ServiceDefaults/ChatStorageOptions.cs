using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Chat.ServiceDefaults;

/// <summary>The Azure Storage account; section "Chat:Storage".</summary>
public sealed class ChatStorageOptions
{
    public const string Section = "Chat:Storage";

    /// <summary>
    /// Grain state, the comment log, cluster membership and the web nodes' key ring. Required (a
    /// silo, a web node that finds gateways in the membership table); UseDevelopmentStorage=true is
    /// Azurite on its default port.
    /// </summary>
    public string? ConnectionString { get; set; }
}

public sealed class ChatStorageOptionsValidator : IValidateOptions<ChatStorageOptions>
{
    private const string Key = ChatConfiguration.ConnectionStringKey;

    public ValidateOptionsResult Validate(string? name, ChatStorageOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.ConnectionString))
            return ValidateOptionsResult.Fail(
                $"Configuration key {Key} is not set. Set it (environment variable Chat__Storage__ConnectionString) to an Azure Storage connection string, e.g. UseDevelopmentStorage=true for Azurite on its default port.");
        try
        {
            _ = new TableServiceClient(o.ConnectionString);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return ValidateOptionsResult.Fail($"Configuration key {Key} is not a valid Azure Storage connection string: {ex.Message}");
        }
    }
}
