using Microsoft.AspNetCore.Diagnostics;

namespace Chat.Web.Api;

/// <summary>
/// Turns refusals from grains into problem details with the grain's readable message, and storage or
/// cluster trouble into 503 "try again" instead of a bare 500.
/// </summary>
public sealed class ChatExceptionHandler(IProblemDetailsService problems, ILogger<ChatExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = Describe(exception);
        if (status >= 500) logger.LogWarning(exception, "Request {Path} failed", context.Request.Path);
        context.Response.StatusCode = status;
        if (status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
            context.Response.Headers.RetryAfter = Math.Max(1, (exception as ChatException)?.RetryAfterSeconds ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    public static (int Status, string Detail) Describe(Exception exception) => exception switch
    {
        ChatException { Kind: ChatErrorKind.Invalid } e => (StatusCodes.Status400BadRequest, e.Message),
        ChatException { Kind: ChatErrorKind.NotFound } e => (StatusCodes.Status404NotFound, e.Message),
        ChatException { Kind: ChatErrorKind.Conflict } e => (StatusCodes.Status409Conflict, e.Message),
        ChatException { Kind: ChatErrorKind.Forbidden } e => (StatusCodes.Status403Forbidden, e.Message),
        ChatException { Kind: ChatErrorKind.StorageUnavailable } e => (StatusCodes.Status503ServiceUnavailable, e.Message),
        ChatException { Kind: ChatErrorKind.RateLimited } e => (StatusCodes.Status429TooManyRequests, e.Message),
        BadHttpRequestException e => (e.StatusCode, e.Message),
        // Grain activation failing on storage, a silo going away mid-call, a call timing out:
        // nothing was acknowledged, and the same request may succeed in a moment.
        Azure.RequestFailedException or TimeoutException or OrleansException or Orleans.Runtime.SiloUnavailableException =>
            (StatusCodes.Status503ServiceUnavailable, "Service unavailable, try again."),
        _ => (StatusCodes.Status500InternalServerError, "Something went wrong on our side."),
    };
}
