global using Orleans;
global using Orleans.Concurrency;
