using Spectre.Console;

return await Chat.Import.ImportTool.RunAsync(args, AnsiConsole.Console, Environment.GetEnvironmentVariable);
