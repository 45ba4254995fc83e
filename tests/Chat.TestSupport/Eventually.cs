namespace Chat.TestSupport;

/// <summary>Waits on a condition with a deadline: the only way tests wait for something to happen.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(20);
        }
    }

    public static async Task True(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(50);
        }
    }
}
