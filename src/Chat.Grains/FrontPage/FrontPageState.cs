// Namespace Chat.Grains, not the folder's: grain storage's JSON names the CLR type of what it
// stores, so rows written before this file moved must still find it here.
namespace Chat.Grains;

[GenerateSerializer, Alias("Chat.FrontPageState")]
public sealed class FrontPageState
{
    [Id(0)] public List<ThreadSummary> Threads { get; set; } = [];
}
