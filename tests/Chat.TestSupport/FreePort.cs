using System.Net;
using System.Net.Sockets;

namespace Chat.TestSupport;

public static class FreePort
{
    /// <summary>A port nothing listens on right now (the OS picks it), for servers that cannot bind port 0 themselves.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
