namespace Chat.Web.Auth;

/// <summary>
/// Cross-site request forgery defence for cookie-authenticated API calls, on top of the
/// SameSite=Lax cookie and JSON-only bodies: a state-changing request that carries the auth cookie
/// must also carry the header <c>X-Chat-Request</c>. Another site's form or image cannot set a
/// custom header, and a cross-origin script cannot without a CORS preflight, which this site never
/// allows. Requests signed in with a bearer token are not affected (the cookie is ignored then).
/// </summary>
public static class CsrfHeaderCheck
{
    public const string HeaderName = "X-Chat-Request";

    // Not an async lambda: a request that passes (every hub connection among them) goes straight on
    // without a state machine held for its whole life, which a WebSocket's request would keep.
    public static IApplicationBuilder UseChatCsrfHeaderCheck(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/api")
                && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
                && request.Cookies.ContainsKey(AuthExtensions.CookieName)
                && !request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) // signed in by token, not cookie
                && !request.Headers.ContainsKey(HeaderName))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden,
                    detail: $"Cookie-authenticated requests that change something must send the {HeaderName} header.").ExecuteAsync(context);
            }
            return next(context);
        });
}
