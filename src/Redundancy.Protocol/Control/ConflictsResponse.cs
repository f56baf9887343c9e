namespace Redundancy.Protocol.Control;

/// <summary>The answer to <see cref="ConflictsRequest"/>: <c>{"ok":true,"v":1,"items":[...]}</c>.</summary>
public sealed record ConflictsResponse : ControlResponse
{
    /// <summary>The changes kept for audit; null on an error.</summary>
    public IReadOnlyList<ConflictItem>? Items { get; init; }
}
