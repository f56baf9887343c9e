using Redundancy.Core.Roles;

namespace Redundancy.Agent.Engine;

/// <summary>What this node says about itself in its heartbeats; replaced whole by the engine, read by senders.</summary>
internal sealed record Announcement(Role Role, ulong Epoch, Readiness Readiness, HealthFlags Health);
