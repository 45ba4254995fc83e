using System.Text.Json;
using Chat.Web.Api;
using Chat.Web.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Chat.Web.Import;

/// <summary>
/// <c>POST /api/admin/import?format=hn|text</c>, moderators only: brings in a discussion from a file
/// (the request body). With <c>Accept: application/x-ndjson</c> the answer is a stream of progress
/// lines ending in the summary; otherwise it is the summary alone.
/// </summary>
public static class ImportEndpoints
{
    /// <summary>Larger than the API's 256 KB: a big HN thread is several MB of JSON.</summary>
    public const long MaxImportBytes = 16 * 1024 * 1024;

    public const string NdjsonMediaType = "application/x-ndjson";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The last line of a progress stream when the import failed after it had started.</summary>
    public sealed record ImportFailure(int Status, string Detail, int Done);

    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/import", Import).RequireAuthorization(AuthExtensions.ModeratorPolicy);
        return app;
    }

    private static async Task<IResult> Import(string? format, HttpContext context, ImportRun run, CancellationToken cancellationToken)
    {
        var expected = format switch
        {
            "hn" => "application/json",
            "text" => "text/plain",
            _ => null,
        };
        if (expected is null)
            return Results.Problem(statusCode: 400, detail: "format must be 'hn' (a Hacker News story with nested items, as JSON) or 'text' (one comment per line).");
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var media) || !media.MediaType.Equals(expected, StringComparison.OrdinalIgnoreCase))
            return Results.Problem(statusCode: 415, detail: $"format={format} takes a {expected} body.");
        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return Results.Problem(statusCode: 415, detail: $"Unknown charset '{media.Charset}': send the file as UTF-8.");

        // Only moderators get here (authorization runs first), so only they get the larger limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxImportBytes;
        if (context.Request.ContentLength > MaxImportBytes)
            return Results.Problem(statusCode: 413, detail: $"The file is too large: at most {MaxImportBytes / (1024 * 1024)} MB.");
        using var file = new MemoryStream();
        await context.Request.Body.CopyToAsync(file, cancellationToken);

        ImportSource source;
        try
        {
            source = format == "hn" ? HnImport.Parse(file.GetBuffer().AsMemory(0, (int)file.Length)) : TextImport.Parse(file.GetBuffer().AsSpan(0, (int)file.Length));
        }
        catch (ImportFormatException e)
        {
            return Results.Problem(statusCode: 400, detail: e.Message);
        }

        var moderator = context.User.UserName()!;
        var wantsProgress = context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(NdjsonMediaType, StringComparison.OrdinalIgnoreCase));
        return wantsProgress
            ? new ProgressStream(run, source, moderator)
            : Results.Ok(await run.RunAsync(source, moderator, null, cancellationToken));
    }

    /// <summary>Writes one JSON object per line as the import goes: progress, then the summary (or a failure).</summary>
    private sealed class ProgressStream(ImportRun run, ImportSource source, string moderator) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.ContentType = NdjsonMediaType;
            var done = 0;
            async Task Line<T>(T value)
            {
                await JsonSerializer.SerializeAsync(response.Body, value, Json, context.RequestAborted);
                await response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
            try
            {
                await Line(new ImportProgress(0, source.Comments.Count));
                var summary = await run.RunAsync(source, moderator, p => { done = p.Done; return Line(p); }, context.RequestAborted);
                await Line(summary);
            }
            catch (Exception e) when (response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // The 200 has gone out with the first line: the failure can only be the last line.
                var (status, detail) = ChatExceptionHandler.Describe(e);
                context.RequestServices.GetRequiredService<ILogger<ImportRun>>().LogWarning(e, "Import into thread {ThreadId} failed after {Done} comments", source.ThreadId, done);
                await Line(new ImportFailure(status, detail, done));
            }
        }
    }
}
