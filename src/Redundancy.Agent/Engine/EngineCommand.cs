namespace Redundancy.Agent.Engine;

/// <summary>Commands the engine takes (switchover, maintenance and start-up release come with the CLI).</summary>
internal enum EngineCommandKind : byte
{
    /// <summary>Stop gracefully: release the outputs, announce Stopping (the peer takes over at once).</summary>
    Stop,

    /// <summary>Turn the pair's maintenance mode on or off (<see cref="EngineCommand.On"/>).</summary>
    Maintenance,

    /// <summary>Start a switchover on the active: check it may, pause the writes (the caller then makes sure the standby
    /// has every change, off the engine thread, and sends <see cref="HandOver"/> or <see cref="SwitchoverAbort"/>).</summary>
    Switchover,

    /// <summary>Hand over to the standby now: release the outputs, step down, announce the handover on every link.</summary>
    HandOver,

    /// <summary>Give up a switchover before the handover: writes resume when this node is still active in its epoch.</summary>
    SwitchoverAbort,

    /// <summary>On the standby: ask the active peer to hand over to this node.</summary>
    RequestSwitchover,

    /// <summary>Let a node that has never heard its peer (solo start off) start alone, once.</summary>
    ReleaseStartup,
}

/// <summary>The engine's answer to a command.</summary>
/// <param name="Accepted">Whether it was carried out.</param>
/// <param name="Text">What happened, or why it was refused, in plain words.</param>
/// <param name="Epoch">For a switchover: the epoch it started in.</param>
/// <param name="At">When the engine completed it (a timestamp; for a handover: the outputs are released by then).</param>
internal sealed record CommandReply(bool Accepted, string Text, ulong Epoch = 0, long At = 0);

/// <summary>
/// A command for the engine with its reply. The reply's continuations run on the pool (the source is made with
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>), so completing it never runs a caller's code on
/// the engine thread.
/// </summary>
internal sealed class EngineCommand
{
    private readonly TaskCompletionSource<CommandReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EngineCommand(EngineCommandKind kind, string reason, int uid = -1)
    {
        Kind = kind;
        Reason = reason;
        Uid = uid;
    }

    public EngineCommandKind Kind { get; }

    /// <summary>Why, as the caller put it (for the event).</summary>
    public string Reason { get; }

    /// <summary>The caller's uid, or -1 for the agent itself.</summary>
    public int Uid { get; }

    /// <summary>For <see cref="EngineCommandKind.Maintenance"/>: on or off.</summary>
    public bool On { get; init; }

    /// <summary>For a switchover: <c>--force</c> (overrides the standby's readiness only).</summary>
    public bool Force { get; init; }

    /// <summary>For <see cref="EngineCommandKind.HandOver"/> and <see cref="EngineCommandKind.SwitchoverAbort"/>: the epoch
    /// the switchover started in (the engine refuses a handover of any other).</summary>
    public ulong Epoch { get; init; }

    public void Complete(bool accepted, string text, ulong epoch, long at = 0) => _reply.TrySetResult(new CommandReply(accepted, text, epoch, at));

    /// <summary>Completes when the engine has decided.</summary>
    public Task<CommandReply> Reply => _reply.Task;

    public void Complete(bool accepted, string text) => _reply.TrySetResult(new CommandReply(accepted, text));
}
