global using Chat.Contracts;
global using Chat.TestSupport;
global using Orleans;
global using Orleans.Hosting;
global using Xunit;
