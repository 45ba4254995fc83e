return await Chat.LoadTests.LoadTool.RunAsync(args);
