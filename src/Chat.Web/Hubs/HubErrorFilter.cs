using Chat.Web.Api;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Hubs;

/// <summary>
/// SignalR hides exception messages from clients unless they are HubExceptions: turn every refusal
/// into one with the same readable text the HTTP API puts in a problem's detail.
/// </summary>
public sealed class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (HubException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var (status, detail) = ChatExceptionHandler.Describe(ex);
            if (status >= 500) logger.LogWarning(ex, "Hub method {Method} failed", context.HubMethodName);
            throw new HubException(detail);
        }
    }
}
