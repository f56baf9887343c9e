namespace Redundancy.Core.Replication;

/// <summary>A replication alarm raised or cleared by the <see cref="ReplicationLedger"/>.</summary>
/// <param name="Raised">True when raised, false when cleared.</param>
/// <param name="Text">What an operator reads.</param>
public readonly record struct ReplicationAlarm(bool Raised, string Text);
