using System.Net;
using System.Net.Sockets;

namespace Chat.Processes;

public static class FreePort
{
    /// <summary>
    /// A port nothing listens on right now, for servers that cannot bind port 0 themselves. Taken
    /// below the OS's ephemeral range when it can: a port the OS picks from that range can be handed
    /// to another process's outgoing connection before our server binds it (seen in CI as "address
    /// already in use"); ports below it are only ever given out by asking for them.
    /// </summary>
    public static int Next()
    {
        var (low, _) = EphemeralRange();
        for (var i = 0; i < 50 && low > 11000; i++)
        {
            var port = Random.Shared.Next(10000, low);
            if (CanBind(port)) return port;
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first of `count` consecutive free ports (for a script that numbers its servers' ports from one base).</summary>
    public static int NextRun(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var first = Next();
            if (Enumerable.Range(first + 1, count - 1).All(CanBind)) return first;
        }
        throw new InvalidOperationException($"No {count} consecutive free ports found.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0]), int.Parse(parts[1]));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (32768, 60999); // Linux's default
        }
    }

    /// <summary>Whether something accepts connections on the port (at the address: loopback unless given one).</summary>
    public static async Task<bool> IsListeningAsync(int port, string host = "127.0.0.1")
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Parse(host), port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
