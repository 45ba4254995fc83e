namespace Chat.Web.Hosting;

public static class SecurityHeadersExtensions
{
    /// <summary>
    /// No inline script or style anywhere in the UI, so the policy can forbid them: even if some
    /// user text ever reached the page as markup, it could not run.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static IApplicationBuilder UseChatSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            // The Orleans Dashboard (moderators only) is a third-party UI with inline script; every
            // page of ours gets the strict policy.
            if (!context.Request.Path.StartsWithSegments("/dashboard")) headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            // Pages and scripts carry an ETag; "no-cache" makes a browser ask (a 304 costs no body)
            // instead of guessing from Last-Modified how long its copy is fresh. A page that a node
            // tells to reload after an upgrade must get the new release's scripts, not the cached old
            // ones. An endpoint that wants other caching sets its own.
            headers.CacheControl = "no-cache";
            return next(context);
        });
}
