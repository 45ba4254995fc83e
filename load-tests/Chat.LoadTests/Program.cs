// Process-wide settings first (before any socket exists), then the command.
Chat.LoadTests.LoadTool.InlineSocketCompletionsForLeanReaders(args);
return await Chat.LoadTests.LoadTool.RunAsync(args);
