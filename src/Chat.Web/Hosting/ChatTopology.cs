using Chat.ServiceDefaults;

namespace Chat.Web.Hosting;

/// <summary>How a web node reaches grains; "Chat:Topology".</summary>
public enum ChatTopology
{
    /// <summary>A silo runs inside the web process: one process does everything (dotnet run, small sites).</summary>
    CoHosted,

    /// <summary>The web node is an Orleans client of a separate Chat.Silo tier (the Kubernetes default).</summary>
    Client,
}

public static class ChatTopologyExtensions
{
    public const string TopologyKey = ChatWebOptions.Section + ":" + nameof(ChatWebOptions.Topology);

    /// <summary>
    /// Either way the web code only ever uses IGrainFactory, so it does not care where grains run.
    /// </summary>
    public static WebApplicationBuilder AddChatOrleans(this WebApplicationBuilder builder)
    {
        // Chat's top-level keys (ChatWebOptions); the topology itself is needed now, to pick the role.
        builder.Services.AddChatOptions<ChatWebOptions>(builder.Configuration, ChatWebOptions.Section);
        var value = builder.Configuration[TopologyKey];
        if (!Enum.TryParse<ChatTopology>(value ?? nameof(ChatTopology.CoHosted), ignoreCase: true, out var topology) || !Enum.IsDefined(topology))
            throw new InvalidOperationException($"Configuration key {TopologyKey} = '{value}' is not known; use CoHosted (a silo in this process) or Client (connect to Chat.Silo hosts).");

        if (topology == ChatTopology.CoHosted) builder.UseOrleans(silo => silo.AddChatSilo(builder.Configuration));
        else builder.UseOrleansClient(client => client.AddChatClient(builder.Configuration));
        return builder;
    }
}
