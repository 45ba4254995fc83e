namespace Chat.Web.Realtime;

/// <summary>
/// A relay's one grain-observer reference for this web node (threads, the front page, inboxes):
/// created when the relay starts, handed to grains when subscribing, deleted once at shutdown.
/// </summary>
public sealed class NodeObserverReference<T>(IGrainFactory grains, ILogger logger, string relayName) where T : class, IGrainObserver
{
    private T? _reference;

    public T Reference => _reference ?? throw new InvalidOperationException($"The {relayName} has not started.");

    public void Create(T observer) => _reference = grains.CreateObjectReference<T>(observer);

    public void Delete()
    {
        if (Interlocked.Exchange(ref _reference, null) is not { } reference) return;
        // On shutdown the co-hosted silo may already have dropped its local object references;
        // then there is nothing left to delete, and throwing from Dispose would fail the host's disposal.
        try { grains.DeleteObjectReference<T>(reference); }
        catch (ArgumentException ex) { logger.LogDebug(ex, "The {Relay}'s observer reference was already gone", relayName); }
        catch (ObjectDisposedException ex) { logger.LogDebug(ex, "The {Relay}'s observer reference was already gone", relayName); }
    }
}
