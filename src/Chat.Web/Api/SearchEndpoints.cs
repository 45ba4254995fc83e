using Chat.Contracts.Search;
using Chat.Web.Auth;

namespace Chat.Web.Api;

/// <summary>
/// GET /api/search: anonymous, limited per client address (a search asks every index shard). The
/// query is parsed here first, so that one the parser cannot read is a 400 with its reason before
/// anything reaches the cluster. Syntax and answer: docs/api.md, "Search".
/// </summary>
public static class SearchEndpoints
{
    public const int CursorMaxLength = 100;

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/search", SearchAsync).RequireRateLimiting(AbuseLimits.SearchPolicy);
        // Rebuilding every shard is a moderator's (operator's) act: docs/operations.md, "Search".
        var admin = app.MapGroup("/api/admin/search/reindex").ModeratorsOnly("Only moderators can rebuild the search index.");
        admin.MapPost("", async (IGrainFactory grains) => Results.Accepted("/api/admin/search/reindex", await grains.GetGrain<ISearchReindexGrain>(0).Start()));
        admin.MapGet("", (IGrainFactory grains) => grains.GetGrain<ISearchReindexGrain>(0).GetStatus());
        return app;
    }

    private static Task<SearchResult> SearchAsync(string? q, string? sort, string? thread, string? author, int? limit, string? cursor, IGrainFactory grains) =>
        grains.GetGrain<ISearchGrain>(0).Search(Request(q, sort, thread, author, limit, cursor));

    /// <summary>The request as the search grain takes it; throws ChatException (400) for anything it would refuse.</summary>
    public static SearchRequest Request(string? q, string? sort, string? thread, string? author, int? limit, string? cursor)
    {
        var query = SearchQuery.Parse(q).With(thread, author);
        sort ??= SearchSort.Relevance;
        if (!SearchSort.IsKnown(sort)) throw ChatException.Invalid($"sort must be {SearchSort.Relevance} or {SearchSort.New}.");
        if (limit is < 1 or > SearchRequest.MaxLimit) throw ChatException.Invalid($"limit must be 1 to {SearchRequest.MaxLimit}.");
        if (author is { Length: > Limits.UserNameMaxLength * 2 }) throw ChatException.Invalid("author is too long.");
        if (cursor is { Length: > CursorMaxLength }) throw ChatException.Invalid("cursor is not one this API gave out: pass the cursor of the previous answer unchanged.");
        return new SearchRequest(query, sort, limit ?? SearchRequest.DefaultLimit, string.IsNullOrEmpty(cursor) ? null : cursor);
    }
}
