namespace Redundancy.Agent.Engine;

/// <summary>Commands the engine takes (switchover, maintenance and start-up release come with the CLI).</summary>
internal enum EngineCommandKind : byte
{
    /// <summary>Stop gracefully: release the outputs, announce Stopping (the peer takes over at once).</summary>
    Stop,

    /// <summary>Turn the pair's maintenance mode on or off (<see cref="EngineCommand.On"/>).</summary>
    Maintenance,
}

/// <summary>The engine's answer to a command.</summary>
/// <param name="Accepted">Whether it was carried out.</param>
/// <param name="Text">What happened, or why it was refused, in plain words.</param>
internal sealed record CommandReply(bool Accepted, string Text);

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

    /// <summary>Completes when the engine has decided.</summary>
    public Task<CommandReply> Reply => _reply.Task;

    public void Complete(bool accepted, string text) => _reply.TrySetResult(new CommandReply(accepted, text));
}
