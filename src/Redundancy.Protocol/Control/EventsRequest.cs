using System.Text.Json.Serialization;

namespace Redundancy.Protocol.Control;

/// <summary>
/// The node's retained events after number <see cref="Since"/>: <c>{"op":"events","since":N}</c>, optionally at most
/// <see cref="Max"/> of them, optionally waiting up to <see cref="WaitMs"/> for one when there is none yet (a bounded
/// long-poll). Answered with an <see cref="EventsResponse"/>; ask again with its <c>next</c>.
/// </summary>
/// <param name="Since">The newest event number already seen; 0 (the default) for every retained event.</param>
/// <param name="Max">At most this many events (from 1); null for every retained one.</param>
/// <param name="WaitMs">When no event after <see cref="Since"/> exists yet, wait up to this long for one, in
/// milliseconds (0 to <see cref="ControlProtocol.MaxWaitMs"/>); the answer comes as soon as one is published. Null or 0:
/// answer at once.</param>
public sealed record EventsRequest(long Since = 0, int? Max = null, int? WaitMs = null) : ControlRequest
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Op => "events";
}
