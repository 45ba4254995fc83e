global using Chat.Contracts;
global using Orleans;
global using Orleans.Runtime;
