using Chat.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Chat.Web.Realtime;

/// <summary>
/// At most Chat:Limits:ConnectionsPerNode requests open on the hub path of this web node (0: no
/// limit): a WebSocket or server-sent-events connection is one request for its whole life, so this
/// bounds open hub connections, whatever the transport, before the node runs out of memory. One more
/// gets 503 with Retry-After, and the client tries again (through the Ingress: perhaps another node).
/// The limit is exported as chat_signalr_connection_limit, which the "connections near the limit"
/// alert divides chat_signalr_connections by.
/// </summary>
public sealed class NodeConnectionLimit
{
    public const string HubPath = "/hubs/discussion";

    private readonly int _limit;
    private int _open;

    public NodeConnectionLimit(IOptions<LimitsOptions> limits, WebMetrics metrics)
    {
        _limit = limits.Value.ConnectionsPerNode; // 0 or more: LimitsOptionsValidator checks it at start
        if (_limit > 0) metrics.ObserveConnectionLimit(_limit);
    }

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (_limit == 0 || !context.Request.Path.StartsWithSegments(HubPath))
        {
            await next();
            return;
        }
        if (Interlocked.Increment(ref _open) > _limit)
        {
            Interlocked.Decrement(ref _open);
            context.Response.Headers.RetryAfter = "5";
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "This server holds as many connections as it can: try again shortly.").ExecuteAsync(context);
            return;
        }
        try
        {
            await next();
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }
}
