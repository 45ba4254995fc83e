using Chat.Web.Hosting;

var app = ChatWebApp.Create(args);
await app.RunAsync();
