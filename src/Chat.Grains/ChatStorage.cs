namespace Chat.Grains;

public static class ChatStorage
{
    /// <summary>The Orleans grain storage provider that holds thread, user and front-page state.</summary>
    public const string GrainStorageName = "chat";
}
