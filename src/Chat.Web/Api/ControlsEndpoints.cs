using Chat.Web.Auth;

namespace Chat.Web.Api;

/// <summary>
/// What a signed-in reader controls for themselves: mutes, quiet comments, follows and settings.
/// Every route needs sign-in (else 401) and acts on the signed-in user only: mutes are private, so
/// nothing here (nor anywhere else) shows one user's mutes to another.
/// </summary>
public static class ControlsEndpoints
{
    public sealed record MuteState(string UserName, bool Muted);

    public sealed record QuietState(string ThreadId, long Seq, bool Quiet);

    public sealed record FollowState(string ThreadId, bool Following);

    public sealed record SettingsRequest(bool? AutoFollow);

    public static IEndpointRouteBuilder MapControlsEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users/{name}").RequireAuthorization();
        users.MapPost("/mute", (string name, IGrainFactory grains, HttpContext context) => Mute(name, true, grains, context));
        users.MapDelete("/mute", (string name, IGrainFactory grains, HttpContext context) => Mute(name, false, grains, context));

        var thread = app.MapThreadGroup().RequireAuthorization();
        thread.MapPost("/follow", (string id, IGrainFactory grains, HttpContext context) => Follow(id, true, grains, context));
        thread.MapDelete("/follow", (string id, IGrainFactory grains, HttpContext context) => Follow(id, false, grains, context));
        thread.MapPost("/comments/{seq:long}/quiet", (string id, long seq, IGrainFactory grains, HttpContext context) => Quiet(id, seq, true, grains, context));
        thread.MapDelete("/comments/{seq:long}/quiet", (string id, long seq, IGrainFactory grains, HttpContext context) => Quiet(id, seq, false, grains, context));

        var me = app.MapGroup("/api/me").RequireAuthorization();
        me.MapGet("/mutes", async (IGrainFactory grains, HttpContext context) => (await Me(grains, context).GetControls()).Mutes);
        me.MapGet("/follows", async (IGrainFactory grains, HttpContext context) => (await Me(grains, context).GetControls()).Follows);
        me.MapGet("/quiet", async (IGrainFactory grains, HttpContext context) => (await Me(grains, context).GetControls()).Quieted);
        me.MapGet("/settings", async (IGrainFactory grains, HttpContext context) => (await Me(grains, context).GetControls()).Settings);
        me.MapPut("/settings", async (SettingsRequest body, IGrainFactory grains, HttpContext context) =>
        {
            if (body.AutoFollow is not { } autoFollow) throw ChatException.Invalid("autoFollow must be true or false.");
            return await Me(grains, context).SetAutoFollow(autoFollow);
        });
        return app;
    }

    private static IUserGrain Me(IGrainFactory grains, HttpContext context) => grains.GetGrain<IUserGrain>(context.User.UserName()!);

    private static async Task<MuteState> Mute(string name, bool mute, IGrainFactory grains, HttpContext context)
    {
        // Checked before touching a grain: a malformed name names nobody.
        if (Limits.CheckUserName(name) is not null) throw ChatException.NotFound($"There is no user {name}.");
        await Me(grains, context).SetMute(name, mute);
        return new MuteState(Limits.NormalizeUserName(name), mute);
    }

    private static async Task<FollowState> Follow(string id, bool follow, IGrainFactory grains, HttpContext context)
    {
        await Me(grains, context).SetFollow(id, follow);
        return new FollowState(id, follow);
    }

    private static async Task<QuietState> Quiet(string id, long seq, bool quiet, IGrainFactory grains, HttpContext context)
    {
        if (seq < 1) throw ChatException.NotFound($"There is no comment {seq} in this thread.");
        await Me(grains, context).SetQuiet(id, seq, quiet);
        return new QuietState(id, seq, quiet);
    }
}
