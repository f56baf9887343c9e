using Microsoft.Extensions.Hosting;

namespace Redundancy.Agent.Hosting;

/// <summary>
/// Runs storage, engine and control socket for the host's lifetime, and tells systemd about them. On stop (SIGTERM,
/// Ctrl-C) systemd hears STOPPING=1, the control socket closes first, then the engine releases the outputs and announces Stopping, then storage finishes its queue.
/// </summary>
internal sealed class EngineService(AgentGraph graph) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        graph.Journal.Start();
        graph.Storage?.Start();

        // Settle the heap before the first heartbeat: everything built at start (host, configuration, warmed-up
        // code, LiteDB's structures) moves to the oldest generation in this one collection, instead of in the
        // first collections under load, which stop the heartbeat threads too (10-13 ms seen in the replication
        // benchmark before this).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        graph.Engine.Start();
        graph.Witness?.Start(); // its own thread; its verdicts reach the engine as inputs
        graph.ServiceState.Started();
        graph.Notify?.Start(); // its own thread: READY=1 once the engine has decided, then STATUS and the watchdog
        graph.Diagnostics.Start();
        graph.Replication?.Start();
        graph.Control.Start();
        graph.Mqtt?.Start();
        graph.Sparkplug?.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                graph.Notify?.Stop(); // STOPPING=1 first, and no more pings: the stop is bounded by TimeoutStopSec
                graph.Control.Dispose();
                graph.Replication?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
                graph.Engine.Stop(TimeSpan.FromSeconds(2));
                graph.Witness?.Dispose();
                graph.Mqtt?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(3)); // the Stopping status, then offline
                graph.Sparkplug?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(3)); // NDEATH
                graph.Diagnostics.Dispose();
                graph.Journal.Dispose(); // writes the last events (the step-down, Stopping) before the host ends
                graph.Storage?.Dispose();
                graph.Storage?.Store.Dispose();
                graph.Engine.Dispose();
                graph.Notify?.Dispose();
            },
            CancellationToken.None);
}
