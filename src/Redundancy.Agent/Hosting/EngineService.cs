using Microsoft.Extensions.Hosting;
using Redundancy.Agent.Engine;

namespace Redundancy.Agent.Hosting;

/// <summary>Runs the engine for the host's lifetime; on stop (SIGTERM, Ctrl-C) the engine releases the outputs.</summary>
internal sealed class EngineService(AgentEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.Run(() => engine.Stop(TimeSpan.FromSeconds(2)), CancellationToken.None);
}
