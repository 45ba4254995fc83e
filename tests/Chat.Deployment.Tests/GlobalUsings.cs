global using Chat.Processes;
global using Chat.TestSupport;
global using k8s.Models;
global using Xunit;
