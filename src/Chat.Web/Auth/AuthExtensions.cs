using System.Security.Claims;
using Chat.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Chat.Web.Auth;

public static class AuthExtensions
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string BearerScheme = BearerTokenDefaults.AuthenticationScheme;

    public const string CookieName = "chat.auth";

    /// <summary>Authorization policy: signed in with the moderator role.</summary>
    public const string ModeratorPolicy = "moderator";
    public const string ModeratorRole = "moderator";

    /// <summary>Picks the bearer token when the request carries one, the cookie otherwise.</summary>
    private const string CookieOrBearerScheme = "CookieOrBearer";

    public static WebApplicationBuilder AddChatAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieOrBearerScheme)
            .AddPolicyScheme(CookieOrBearerScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query.ContainsKey("access_token"))
                    ? BearerScheme
                    : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(30);
                o.SlidingExpiration = true;
                // An API answers 401/403 with a problem, never with a redirect to a login page.
                o.Events.OnRedirectToLogin = context => WriteProblem(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign in first.");
                o.Events.OnRedirectToAccessDenied = context => WriteProblem(context.HttpContext, StatusCodes.Status403Forbidden, "You may not do that.");
            })
            .AddBearerToken(BearerScheme, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromDays(1);
                // Browsers' WebSocket API cannot set headers, so SignalR sends the token in the query.
                o.Events.OnMessageReceived = context =>
                {
                    if (context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query.TryGetValue("access_token", out var token))
                        context.Token = token;
                    return Task.CompletedTask;
                };
            });
        builder.Services.AddAuthorization(o => o.AddPolicy(ModeratorPolicy, p => p.RequireRole(ModeratorRole)));
        builder.Services.AddSingleton<ModeratorDirectory>();
        var storage = builder.Configuration[ChatConfiguration.ConnectionStringKey];
        if (!string.IsNullOrWhiteSpace(storage))
        {
            // One key ring for all web nodes (the application name ties their cookies together).
            builder.Services.AddDataProtection().SetApplicationName("chat");
            builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlRepository = new TableXmlRepository(new Azure.Data.Tables.TableClient(storage, TableXmlRepository.TableName)));
        }
        builder.Services.AddSingleton<PasswordService>();
        return builder;
    }

    public static ClaimsPrincipal CreatePrincipal(string userName, bool moderator, string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, userName) };
        if (moderator) claims.Add(new Claim(ClaimTypes.Role, ModeratorRole));
        return new(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The signed-in user's normalized name; the author of anything they post.</summary>
    public static string? UserName(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Name) : null;

    private static Task WriteProblem(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        return Results.Problem(statusCode: status, detail: detail).ExecuteAsync(context);
    }
}
