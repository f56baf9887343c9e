namespace Redundancy.Protocol.Control;

/// <summary>The answer to <see cref="SetRequest"/> and <see cref="DeleteRequest"/>: the change's place in the log,
/// <c>{"ok":true,"v":1,"epoch":E,"sequence":S}</c>.</summary>
public sealed record WriteResponse : ControlResponse
{
    /// <summary>The epoch the change was written in.</summary>
    public ulong Epoch { get; init; }

    /// <summary>The change's sequence number in the node's log.</summary>
    public ulong Sequence { get; init; }
}
