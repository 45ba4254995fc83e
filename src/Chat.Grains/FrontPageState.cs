namespace Chat.Grains;

[GenerateSerializer, Alias("Chat.FrontPageState")]
public sealed class FrontPageState
{
    [Id(0)] public List<ThreadSummary> Threads { get; set; } = [];
}
