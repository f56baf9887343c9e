using Microsoft.Extensions.Hosting;
using Redundancy.Agent.Control;
using Redundancy.Agent.Engine;
using Redundancy.Agent.State;

namespace Redundancy.Agent.Hosting;

/// <summary>
/// Runs storage, engine and control socket for the host's lifetime. On stop (SIGTERM, Ctrl-C) the control socket
/// closes first, then the engine releases the outputs and announces Stopping, then storage finishes its queue.
/// </summary>
internal sealed class EngineService(AgentEngine engine, StorageWorker? storage, Replication.ReplicationService? replication, ControlSocket? control,
    Diagnostics.RuntimeDiagnostics diagnostics, Status.JournalWriter journal) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        journal.Start();
        storage?.Start();

        // Settle the heap before the first heartbeat: everything built at start (host, configuration, warmed-up
        // code, LiteDB's structures) moves to the oldest generation in this one collection, instead of in the
        // first collections under load, which stop the heartbeat threads too (10-13 ms seen in the replication
        // benchmark before this).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        engine.Start();
        diagnostics.Start();
        replication?.Start();
        control?.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                control?.Dispose();
                replication?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(2));
                engine.Stop(TimeSpan.FromSeconds(2));
                diagnostics.Dispose();
                journal.Dispose(); // writes the last events (the step-down, Stopping) before the host ends
                storage?.Dispose();
                storage?.Store.Dispose();
            },
            CancellationToken.None);
}
