namespace Chat.Grains;

[GenerateSerializer, Alias("Chat.RolesState")]
public sealed class RolesState
{
    [Id(0)] public string? FirstUser { get; set; }
}
