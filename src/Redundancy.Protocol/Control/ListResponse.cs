namespace Redundancy.Protocol.Control;

/// <summary>The answer to <see cref="ListRequest"/>: <c>{"ok":true,"v":1,"items":[...]}</c>, in key order.</summary>
public sealed record ListResponse : ControlResponse
{
    /// <summary>The rows; null on an error.</summary>
    public IReadOnlyList<StateItem>? Items { get; init; }
}
