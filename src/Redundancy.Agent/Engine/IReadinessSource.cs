using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>Where a standby's readiness comes from (replication). Read on the engine thread: must not block.</summary>
internal interface IReadinessSource
{
    /// <summary>This node's readiness now.</summary>
    Readiness Readiness { get; }
}
