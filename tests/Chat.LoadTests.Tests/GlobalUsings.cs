global using Chat.TestSupport;
