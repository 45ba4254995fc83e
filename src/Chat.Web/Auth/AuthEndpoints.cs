using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;

namespace Chat.Web.Auth;

public static class AuthEndpoints
{
    public sealed record Credentials(string? UserName, string? Password);

    public sealed record LoginResponse(string Token);

    public sealed record Me(string UserName, bool Moderator);

    public static WebApplication MapChatAuth(this WebApplication app)
    {
        var auth = app.MapGroup("/api/auth");
        auth.MapPost("/register", Register).RequireRateLimiting(AbuseLimits.AuthPolicy);
        auth.MapPost("/login", Login).RequireRateLimiting(AbuseLimits.AuthPolicy);
        auth.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthExtensions.CookieScheme);
            return Results.NoContent();
        });
        app.MapGet("/api/me", (HttpContext context) =>
            Results.Ok(new Me(context.User.UserName()!, context.User.IsInRole(AuthExtensions.ModeratorRole)))).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> Register(Credentials body, PasswordService passwords, ModeratorDirectory moderators, HttpContext context)
    {
        if (Limits.CheckUserName(body.UserName) is { } nameError) return Results.Problem(statusCode: 400, detail: nameError);
        if (Limits.CheckPassword(body.Password) is { } passwordError) return Results.Problem(statusCode: 400, detail: passwordError);
        var userName = Limits.NormalizeUserName(body.UserName!);
        if (!await passwords.RegisterAsync(userName, body.Password!))
            return Results.Problem(statusCode: 409, detail: $"The user name {userName} is taken.");
        await moderators.AccountRegisteredAsync(userName);
        var moderator = await moderators.IsModeratorAsync(userName);
        await context.SignInAsync(AuthExtensions.CookieScheme, AuthExtensions.CreatePrincipal(userName, moderator, AuthExtensions.CookieScheme));
        return Results.Created($"/u/{userName}", new Me(userName, moderator));
    }

    private static async Task<IResult> Login(Credentials body, PasswordService passwords, ModeratorDirectory moderators, HttpContext context, IOptionsMonitor<BearerTokenOptions> bearerOptions, TimeProvider time)
    {
        const string refusal = "Wrong user name or password.";
        if (Limits.CheckUserName(body.UserName) is not null || string.IsNullOrEmpty(body.Password))
            return Results.Problem(statusCode: 401, detail: refusal);
        var userName = Limits.NormalizeUserName(body.UserName!);
        if (!await passwords.VerifyAsync(userName, body.Password))
            return Results.Problem(statusCode: 401, detail: refusal);

        var moderator = await moderators.IsModeratorAsync(userName);
        await context.SignInAsync(AuthExtensions.CookieScheme, AuthExtensions.CreatePrincipal(userName, moderator, AuthExtensions.CookieScheme));

        // The same ticket the bearer handler would issue, so that it validates it on every request.
        var options = bearerOptions.Get(AuthExtensions.BearerScheme);
        var properties = new AuthenticationProperties { ExpiresUtc = time.GetUtcNow() + options.BearerTokenExpiration };
        var ticket = new AuthenticationTicket(AuthExtensions.CreatePrincipal(userName, moderator, AuthExtensions.BearerScheme), properties, $"{AuthExtensions.BearerScheme}:AccessToken");
        return Results.Ok(new LoginResponse(options.BearerTokenProtector.Protect(ticket)));
    }
}
