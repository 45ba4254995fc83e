using System.Net.Sockets;

namespace Chat.Deployment.Tests.Containers;

/// <summary>
/// A pod's probes polled as the kubelet polls them, with the render's period, timeout and
/// thresholds: the startup probe until it succeeds (failureThreshold misses fail the pod), then
/// readiness (Ready after successThreshold passes, not ready after failureThreshold misses) and
/// liveness (failureThreshold misses count a restart the kubelet would make; tests expect none).
/// </summary>
public sealed class KubeletProbes : IAsyncDisposable
{
    private readonly PodContainer _pod;
    private readonly DockerEngine _engine;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private KubeletProbes(PodContainer pod, DockerEngine engine)
    {
        _pod = pod;
        _engine = engine;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public bool Ready { get; private set; }

    /// <summary>Why the pod failed its startup probe (null: it has not).</summary>
    public string? StartupFailure { get; private set; }

    /// <summary>Times the liveness probe missed failureThreshold times in a row (the kubelet would restart the container).</summary>
    public int LivenessFailures { get; private set; }

    public static KubeletProbes Start(PodContainer pod, DockerEngine engine) => new(pod, engine);

    /// <summary>Stops probing (the kubelet stops routing to a terminating pod: it is no longer Ready).</summary>
    public async ValueTask DisposeAsync()
    {
        Ready = false;
        await _stop.CancelAsync();
        try { await _loop; }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var container = _pod.Container;
        if (container.StartupProbe is { } startup)
        {
            var misses = 0;
            await Task.Delay(TimeSpan.FromSeconds(startup.InitialDelaySeconds ?? 0), stop);
            while (!await PassesAsync(startup, stop))
            {
                if (++misses >= (startup.FailureThreshold ?? 3))
                {
                    StartupFailure = $"{_pod.Name}: startup probe missed {misses} times, {startup.PeriodSeconds ?? 10} s apart";
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(startup.PeriodSeconds ?? 10), stop);
            }
        }
        await Task.WhenAll(
            Poll(container.ReadinessProbe, ready => Ready = ready, stop),
            Poll(container.LivenessProbe, live => { if (!live) LivenessFailures++; }, stop));
    }

    /// <summary>Reports a result whenever the run of passes or misses reaches its threshold.</summary>
    private async Task Poll(V1Probe? probe, Action<bool> report, CancellationToken stop)
    {
        if (probe is null)
        {
            report(true);
            return;
        }
        await Task.Delay(TimeSpan.FromSeconds(probe.InitialDelaySeconds ?? 0), stop);
        int passes = 0, misses = 0;
        while (true)
        {
            if (await PassesAsync(probe, stop)) { misses = 0; if (++passes == (probe.SuccessThreshold ?? 1)) report(true); }
            else { passes = 0; if (++misses == (probe.FailureThreshold ?? 3)) report(false); }
            await Task.Delay(TimeSpan.FromSeconds(probe.PeriodSeconds ?? 10), stop);
        }
    }

    private async Task<bool> PassesAsync(V1Probe probe, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(probe.TimeoutSeconds ?? 1));
        try
        {
            if (probe.HttpGet is { } get)
            {
                using var http = new HttpClient();
                using var response = await http.GetAsync($"http://{PodContainer.PodIp}:{_pod.HostPorts[_pod.ContainerPort(get.Port)]}{get.Path}", timeout.Token);
                return (int)response.StatusCode is >= 200 and < 400;
            }
            if (probe.TcpSocket is { } tcp)
            {
                using var client = new TcpClient();
                await client.ConnectAsync(PodContainer.PodIp, _pod.HostPorts[_pod.ContainerPort(tcp.Port)], timeout.Token);
                return true;
            }
            if (probe.Exec is { } exec)
                return (await _engine.TryRunAsync(["exec", _pod.Name, .. exec.Command])).ExitCode == 0;
            throw new NotSupportedException($"{_pod.Name}: a probe that is neither httpGet, tcpSocket nor exec");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException || (e is OperationCanceledException && !stop.IsCancellationRequested))
        {
            return false;
        }
    }
}
