using Chat.Web.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Web.Realtime;

/// <summary>
/// SignalR's user id is the signed-in user name (what the grains are keyed by), so that
/// <c>Clients.User(userName)</c> reaches every page of that user on this node. The default provider
/// reads a NameIdentifier claim, which our sign-in does not issue.
/// </summary>
public sealed class UserNameIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.UserName();
}
