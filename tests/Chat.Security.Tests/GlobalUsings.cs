global using Chat.Contracts;
global using Chat.TestSupport;
global using Xunit;
