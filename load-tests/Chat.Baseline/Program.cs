using Chat.Baseline;

// A plain ASP.NET Core SignalR server with the product's public contract (the subset the load tool
// uses): what a hot thread costs without Orleans and without storage. `--redis HOST:PORT` makes it
// one node of a cluster sharing the SignalR Redis backplane, seqs and the comment list.
var redis = BaselineOptions.RedisFrom(args);
var builder = WebApplication.CreateBuilder(args.Where(a => !a.StartsWith("--redis")).Except(redis is null ? [] : [redis]).ToArray());
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddBaseline(redis);
var app = builder.Build();
app.MapBaseline();
app.Run();
