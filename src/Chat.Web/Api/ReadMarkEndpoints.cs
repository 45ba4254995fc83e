using Chat.Web.Discussion;

namespace Chat.Web.Api;

/// <summary>The HTTP face of <see cref="ReadingService"/>: the signed-in reader's read marks.</summary>
public static class ReadMarkEndpoints
{
    public static IEndpointRouteBuilder MapReadMarkEndpoints(this IEndpointRouteBuilder app)
    {
        // ?threads=a,b,c: the marks of those the reader visited (the front page's "N new").
        app.MapGet("/api/read-marks", (string? threads, ReadingService reading, HttpContext context) =>
            reading.GetMarksAsync(ThreadEndpoints.UserName(context), threads?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            .RequireAuthorization();
        var thread = app.MapThreadGroup().RequireAuthorization();
        thread.MapGet("/read", (string id, ReadingService reading, HttpContext context) => reading.GetMarkAsync(ThreadEndpoints.UserName(context), id));
        thread.MapPut("/read", (string id, MarkReadRequest body, ReadingService reading, HttpContext context) =>
            reading.MarkReadAsync(ThreadEndpoints.UserName(context), id, body.Seq));
        return app;
    }
}
