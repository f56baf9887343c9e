namespace Redundancy.Core.Roles;

/// <summary>What the engine must do after an input to the <see cref="RoleStateMachine"/>.</summary>
public enum DecisionKind
{
    /// <summary>Nothing changes.</summary>
    None,

    /// <summary>Take over: persist the epoch, check the interlock, assert "I am active", drive outputs.</summary>
    BecomeActive,

    /// <summary>Become (or stay) a non-driving node: release outputs, then drop "I am active".</summary>
    BecomeStandby,

    /// <summary>This node cannot serve: release outputs and announce Faulted.</summary>
    BecomeFaulted,

    /// <summary>Shutting down: release outputs and announce Stopping.</summary>
    BecomeStopping,
}

/// <summary>A role change decided by the <see cref="RoleStateMachine"/>, with its reason.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="From">Role before.</param>
/// <param name="To">Role after.</param>
/// <param name="Epoch">Epoch after (incremented on takeover).</param>
/// <param name="Reason">Why, in plain words, for the event log.</param>
/// <param name="DetectionTime">For a takeover: from the peer's last frame (or its announcement) to this decision.</param>
public readonly record struct Decision(
    DecisionKind Kind,
    Role From,
    Role To,
    ulong Epoch,
    string Reason,
    TimeSpan? DetectionTime)
{
    /// <summary>No change.</summary>
    public static Decision None => default;

    /// <summary>Whether the decision changes anything.</summary>
    public bool IsChange => Kind != DecisionKind.None;

    /// <summary>For a takeover: nothing proves the peer is not driving (it is not heard, no interlock is wired, and it
    /// did not hand over). Such a takeover announces itself and holds briefly before it drives.</summary>
    public bool Unfenced { get; init; }
}
