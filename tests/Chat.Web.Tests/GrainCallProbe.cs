using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Web.Tests;

/// <summary>
/// Watches the web node's calls to grains, and can hold one, so that a test can put the relay's calls
/// in the order that a race would (an outgoing grain call filter: nothing in the product changes).
/// </summary>
internal sealed class GrainCallProbe : IOutgoingGrainCallFilter
{
    private readonly ConcurrentQueue<ThreadSubscribe> _threadSubscribes = new();
    private readonly ConcurrentQueue<HeldCall> _holds = new();

    /// <summary>One <c>IThreadGrain.Subscribe</c> as the node sent it (viewers it reported) and as the grain answered (viewers in all).</summary>
    public sealed record ThreadSubscribe(string ThreadId, int ReportedViewers, int GrainViewers);

    public IReadOnlyList<ThreadSubscribe> ThreadSubscribes => [.. _threadSubscribes];

    /// <summary>
    /// A call held on its way out until another call to the same kind of grain has come and gone:
    /// the held call then lands after it, as when the two travel at once.
    /// </summary>
    public sealed class HeldCall(Type grain, string method, string releasedBy)
    {
        internal Type Grain { get; } = grain;
        internal string Method { get; } = method;
        internal string ReleasedBy { get; } = releasedBy;
        internal TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        internal int Armed = 1;

        /// <summary>Completes when the call has reached the filter (and waits there).</summary>
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the call has reached the grain after all.</summary>
        public TaskCompletionSource Landed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Holds the node's next call of method to a TGrain until a releasedBy call to one has been answered.</summary>
    public HeldCall HoldNext<TGrain>(string method, string releasedBy)
    {
        var hold = new HeldCall(typeof(TGrain), method, releasedBy);
        _holds.Enqueue(hold);
        return hold;
    }

    public void AddTo(WebApplicationBuilder builder) => builder.Services.AddSingleton<IOutgoingGrainCallFilter>(this);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var grain = context.InterfaceMethod?.DeclaringType;
        var method = context.MethodName;
        if (_holds.FirstOrDefault(h => h.Grain == grain && h.Method == method && Interlocked.Exchange(ref h.Armed, 0) == 1) is { } hold)
        {
            hold.Reached.TrySetResult();
            await hold.Release.Task;
            await context.Invoke();
            hold.Landed.TrySetResult();
            return;
        }
        // Read before the call: the request's arguments are cleared once it is answered.
        var threadSubscribe = grain == typeof(IThreadGrain) && method == nameof(IThreadGrain.Subscribe);
        var reportedViewers = threadSubscribe ? (int)context.Request.GetArgument(2)! : 0;
        await context.Invoke();
        foreach (var held in _holds.Where(h => h.Grain == grain && h.ReleasedBy == method && h.Reached.Task.IsCompleted)) held.Release.TrySetResult();
        if (threadSubscribe)
            _threadSubscribes.Enqueue(new(context.TargetId.Key.ToString()!, reportedViewers, ((Subscription)context.Result!).Viewers));
    }
}
