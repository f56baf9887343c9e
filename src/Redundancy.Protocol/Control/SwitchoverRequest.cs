using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>
/// Switches the pair over (a changing op): <c>{"op":"switchover","force":false,"timeoutMs":5000}</c>. On the active it
/// hands over to the standby; on a hot standby it asks the active to hand over to it. Refused unless the standby is hot
/// (<c>force</c> overrides that only) and the pair is not in maintenance. Answered with a <see cref="SwitchoverResponse"/>.
/// </summary>
/// <param name="Force">Go on when the standby is not hot (it may lack changes).</param>
/// <param name="TimeoutMs">Longest to wait for the new active, 1-60000 ms (default 5000).</param>
public sealed record SwitchoverRequest(bool? Force = null, int? TimeoutMs = null) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "switchover";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool Changes => true;
}

/// <summary>
/// A failover drill (a changing op): <c>{"op":"drill"}</c>: a switchover to the standby and back, each leg measured.
/// Refused unless the pair is redundant (one active, one hot standby, both links up, not in maintenance).
/// Answered with a <see cref="DrillResponse"/>.
/// </summary>
/// <param name="TimeoutMs">Longest to wait for each leg, 1-60000 ms (default 5000).</param>
public sealed record DrillRequest(int? TimeoutMs = null) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "drill";

    /// <inheritdoc />
    [JsonIgnore]
    public override bool Changes => true;
}
