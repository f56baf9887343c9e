using Redundancy.Agent.Engine;
using Redundancy.Core.Commands;
using Redundancy.Protocol.Control;

namespace Redundancy.Agent.Control;

/// <summary>
/// The commands that change the pair's roles (maintenance, switchover, drill), whichever way they come in (the control
/// socket, a remote command over MQTT): one path to the engine and the switchover coordinator, so one set of rules
/// (refused unless the standby is hot, not in maintenance, and so on) and one answer, in the control protocol's words.
/// The caller is named by its uid (<see cref="Callers"/>) in every event it causes, on both nodes.
/// </summary>
internal sealed class OperatorCommands(IEngineCommands? engine, SwitchoverCoordinator? switchover, TimeProvider time)
{
    /// <summary>Longest the engine may take to decide a command (it decides within a loop round: milliseconds).</summary>
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default wait of a switchover or drill without a timeout of its own.</summary>
    internal static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    /// <summary>Whether maintenance is served (an engine is attached).</summary>
    public bool ServesMaintenance => engine is not null;

    /// <summary>Whether switchover and drill are served.</summary>
    public bool ServesSwitchover => switchover is not null;

    /// <summary>The pair's maintenance mode on or off, for <paramref name="uid"/> (<paramref name="via"/> names the way
    /// it came, for the event).</summary>
    public async Task<ControlResponse> MaintenanceAsync(bool on, int uid, string via, CancellationToken cancellationToken)
    {
        if (engine is null)
        {
            return ControlProtocol.Failure("op 'maintenance' is not served by this agent");
        }

        var reply = await engine.Send(new EngineCommand(EngineCommandKind.Maintenance, $"{Callers.Name(uid)} {via}", uid) { On = on })
            .WaitAsync(CommandTimeout, time, cancellationToken).ConfigureAwait(false);
        return reply.Accepted ? new CommandResponse { Ok = true, Text = reply.Text } : ControlProtocol.Failure(reply.Text);
    }

    /// <summary>Lets a node waiting for a peer it has never heard start alone, once.</summary>
    public async Task<ControlResponse> ReleaseStartupAsync(int uid, string via, CancellationToken cancellationToken)
    {
        if (engine is null)
        {
            return ControlProtocol.Failure("op 'release-startup' is not served by this agent");
        }

        var reply = await engine.Send(new EngineCommand(EngineCommandKind.ReleaseStartup, $"{Callers.Name(uid)} {via}", uid))
            .WaitAsync(CommandTimeout, time, cancellationToken).ConfigureAwait(false);
        return reply.Accepted ? new CommandResponse { Ok = true, Text = reply.Text } : ControlProtocol.Failure(reply.Text);
    }

    /// <summary>A graceful switchover (on the active: hand over; on a hot standby: ask the active to).</summary>
    public async Task<ControlResponse> SwitchoverAsync(bool force, int? timeoutMs, int uid, CancellationToken cancellationToken)
    {
        if (switchover is null)
        {
            return ControlProtocol.Failure("op 'switchover' is not served by this agent");
        }

        var outcome = await switchover.RunAsync(uid, force, Wait(timeoutMs), cancellationToken).ConfigureAwait(false);
        return new SwitchoverResponse
        {
            Ok = outcome.Ok,
            Error = outcome.Ok ? null : outcome.Text,
            Text = outcome.Text,
            Leg = outcome.Ok || outcome.HandedOver ? outcome.Leg(switchover.NodeId, switchover.PeerId) : null,
        };
    }

    /// <summary>A drill: switch over and back, measured.</summary>
    public async Task<ControlResponse> DrillAsync(int? timeoutMs, int uid, CancellationToken cancellationToken)
    {
        if (switchover is null)
        {
            return ControlProtocol.Failure("op 'drill' is not served by this agent");
        }

        var (ok, text, legs) = await switchover.DrillAsync(uid, Wait(timeoutMs), cancellationToken).ConfigureAwait(false);
        return new DrillResponse { Ok = ok, Error = ok ? null : text, Text = text, Legs = legs.Select(l => l.Leg(switchover.NodeId, switchover.PeerId)).ToArray() };
    }

    private static TimeSpan Wait(int? timeoutMs) => timeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultWait;
}
