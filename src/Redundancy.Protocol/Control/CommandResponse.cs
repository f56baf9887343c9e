namespace Redundancy.Protocol.Control;

/// <summary>The answer to a command the engine carries out (maintenance; switchover next): what it did, in plain words.</summary>
public sealed record CommandResponse : ControlResponse
{
    /// <summary>What was done.</summary>
    public string? Text { get; init; }
}
