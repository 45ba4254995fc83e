global using Chat.Contracts;
global using Orleans;
