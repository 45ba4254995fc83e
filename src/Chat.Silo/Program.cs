using Chat.Silo;

var app = SiloApp.Create(args);
await app.RunAsync();
