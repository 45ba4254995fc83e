global using Chat.Contracts;
global using Chat.Processes;
global using Chat.TestSupport;
global using Xunit;
