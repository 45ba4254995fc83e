global using Chat.Contracts;
global using Chat.TestSupport;
global using Xunit;
global using static Chat.Web.Tests.Responses;
