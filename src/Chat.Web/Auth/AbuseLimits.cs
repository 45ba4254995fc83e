using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chat.Web.Auth;

/// <summary>
/// Per-IP limits on this web node, with ASP.NET Core's rate limiting: sign-in and registration
/// attempts, and open hub connections. Refusals are 429 problems with Retry-After. (Per-user limits
/// live in the user's grain, so they hold cluster-wide.)
/// </summary>
public static class AbuseLimits
{
    public const string AuthPolicy = "auth-per-ip";
    public const string HubConnectionsPolicy = "hub-connections-per-ip";
    public const string SearchPolicy = "search-per-ip";

    public static WebApplicationBuilder AddChatAbuseLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddChatOptions<LimitsOptions, LimitsOptionsValidator>(builder.Configuration, LimitsOptions.Section);
        builder.Services.AddRateLimiter(_ => { });
        // From the bound (and at start validated) options, like every other reader of Chat:Limits.
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitsOptions>>((o, options) =>
        {
            var limits = options.Value;
            o.AddPolicy(AuthPolicy, context => RateLimitPartition.GetFixedWindowLimiter(ClientIp(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, limits.AuthRequestsPerIpPerMinute),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
            o.AddPolicy(SearchPolicy, context => RateLimitPartition.GetFixedWindowLimiter(ClientIp(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, limits.SearchesPerIpPerMinute),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
            // A WebSocket request lasts as long as its connection, so a concurrency lease per
            // request is a lease per open connection.
            o.AddPolicy(HubConnectionsPolicy, context => RateLimitPartition.GetConcurrencyLimiter(ClientIp(context), _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = Math.Max(1, limits.ConnectionsPerIp),
                QueueLimit = 0,
            }));
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var detail = context.Request.Path.StartsWithSegments("/hubs")
                    ? "Too many open connections from your address."
                    : context.Request.Path.StartsWithSegments("/api/search")
                        ? $"Too many searches from your address: try again in {seconds} s."
                        : $"Too many sign-in attempts from your address: try again in {seconds} s.";
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: detail).ExecuteAsync(context);
            };
        });
        builder.Services.AddSingleton<HubInvocationLimitFilter>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    private static string ClientIp(HttpContext context) => (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
}

/// <summary>
/// A token bucket per hub connection: one client cannot flood the hub with calls (joins, posts).
/// The bucket lives in the connection's features, so it goes away with the connection.
/// </summary>
public sealed class HubInvocationLimitFilter(IOptions<LimitsOptions> limits, TimeProvider time) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // In the connection's features, which exist anyway: Items would make a concurrent dictionary
        // per connection just for this (about 0.5 KB of every idle connection).
        var caller = context.Context;
        lock (caller)
        {
            if (caller.Features.Get<TokenBucket>() is not { } bucket)
                caller.Features.Set(bucket = new TokenBucket(limits.Value.HubInvocationBurst, limits.Value.HubInvocationsPerSecond, time));
            if (!bucket.TryTake(out _)) throw new HubException("Too many requests on this connection: slow down.");
        }
        return await next(context);
    }
}
