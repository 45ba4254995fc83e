namespace Chat.Web.Api;

public static class UserEndpoints
{
    /// <summary>What /u/{name} shows: public figures only (never the password hash).</summary>
    public sealed record UserPage(string UserName, DateTimeOffset JoinedAt, long Karma, IReadOnlyList<CommentRef> RecentComments);

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/users/{name}", GetUser);
        return app;
    }

    private static async Task<IResult> GetUser(string name, IGrainFactory grains)
    {
        // Checked before touching a grain: a malformed name must not activate one.
        if (Limits.CheckUserName(name) is not null) return Results.Problem(statusCode: 404, detail: $"There is no user {name}.");
        var profile = await grains.GetGrain<IUserGrain>(Limits.NormalizeUserName(name)).GetProfile();
        return profile is null
            ? Results.Problem(statusCode: 404, detail: $"There is no user {name}.")
            : Results.Ok(new UserPage(profile.UserName, profile.JoinedAt, profile.Karma, profile.RecentComments));
    }
}
