using System.Text;
using Microsoft.Net.Http.Headers;

namespace Chat.Web.Api;

/// <summary>
/// A JSON body declared in a charset .NET does not know ("application/json; charset=nonsense")
/// makes ASP.NET Core's body reader throw InvalidOperationException, which would surface as a 500.
/// Refuse it up front as what it is: 415, with a clear detail. (Found by the security fuzzer.)
/// </summary>
public static class JsonCharsetCheck
{
    // Not an async lambda: a request that passes (every hub connection among them) goes straight on
    // without a state machine held for its whole life, which a WebSocket's request would keep.
    public static IApplicationBuilder UseChatJsonCharsetCheck(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var contentType = context.Request.ContentType;
            if (contentType is not null
                && context.Request.Path.StartsWithSegments("/api")
                && MediaTypeHeaderValue.TryParse(contentType, out var media)
                && media.Charset.HasValue
                && !IsKnownCharset(media.Charset.ToString()))
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                    detail: $"Unknown charset '{media.Charset}': send JSON as UTF-8.").ExecuteAsync(context);
            }
            return next(context);
        });

    /// <summary>The same test ASP.NET Core's JSON reader makes (HttpRequestJsonExtensions.GetEncodingFromCharset).</summary>
    private static bool IsKnownCharset(string charset)
    {
        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            Encoding.GetEncoding(charset);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
