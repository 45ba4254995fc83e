namespace Chat.Grains.Follows;

/// <summary>The users who follow one thread (normalized names). Its own grain, its own row: a thread's state stays small.</summary>
[GenerateSerializer, Alias("Chat.ThreadFollowersState")]
public sealed class ThreadFollowersState
{
    [Id(0)] public HashSet<string> Followers { get; set; } = [];
}
