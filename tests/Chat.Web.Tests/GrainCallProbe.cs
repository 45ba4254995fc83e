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
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _holdArmed;

    /// <summary>One <c>IThreadGrain.Subscribe</c> as the node sent it (viewers it reported) and as the grain answered (viewers in all).</summary>
    public sealed record ThreadSubscribe(string ThreadId, int ReportedViewers, int GrainViewers);

    public IReadOnlyList<ThreadSubscribe> ThreadSubscribes => [.. _threadSubscribes];

    /// <summary>Completes when the held front-page unsubscribe has reached the filter (and waits there).</summary>
    public TaskCompletionSource FrontPageUnsubscribeHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held front-page unsubscribe has reached the grain after all.</summary>
    public TaskCompletionSource FrontPageUnsubscribeLanded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The node's next front-page unsubscribe waits until a front-page subscribe has come and gone:
    /// the unsubscribe then lands after it, as when the two travel at once.
    /// </summary>
    public void HoldNextFrontPageUnsubscribeUntilASubscribe() => Interlocked.Exchange(ref _holdArmed, 1);

    public void AddTo(WebApplicationBuilder builder) => builder.Services.AddSingleton<IOutgoingGrainCallFilter>(this);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IFrontPageGrain) && context.MethodName == nameof(IFrontPageGrain.Unsubscribe)
            && Interlocked.Exchange(ref _holdArmed, 0) == 1)
        {
            FrontPageUnsubscribeHeld.TrySetResult();
            await _release.Task;
            await context.Invoke();
            FrontPageUnsubscribeLanded.TrySetResult();
            return;
        }
        // Read before the call: the request's arguments are cleared once it is answered.
        var threadSubscribe = context.InterfaceMethod?.DeclaringType == typeof(IThreadGrain) && context.MethodName == nameof(IThreadGrain.Subscribe);
        var reportedViewers = threadSubscribe ? (int)context.Request.GetArgument(2)! : 0;
        await context.Invoke();
        if (context.InterfaceMethod?.DeclaringType == typeof(IFrontPageGrain) && context.MethodName == nameof(IFrontPageGrain.Subscribe) && FrontPageUnsubscribeHeld.Task.IsCompleted)
            _release.TrySetResult();
        if (threadSubscribe)
            _threadSubscribes.Enqueue(new(context.TargetId.Key.ToString()!, reportedViewers, ((Subscription)context.Result!).Viewers));
    }
}
