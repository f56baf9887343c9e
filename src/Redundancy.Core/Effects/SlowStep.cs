namespace Redundancy.Core.Effects;

/// <summary>Where in a transition a plug-in's slow effect goes (the system IP: added after a takeover drives,
/// removed before a step-down is announced, so the peer never adds it while this node still holds it).</summary>
public enum SlowStep : byte
{
    /// <summary>After a takeover has driven the outputs and announced: nothing waits for it.</summary>
    AfterTakeover,

    /// <summary>When leaving Active, after the outputs are released and "I am active" dropped: the announcement of
    /// the new role waits for it (bounded), the outputs never do.</summary>
    BeforeStepDownAnnounced,
}

/// <summary>A slow effect registered with the planner.</summary>
/// <param name="Slot">The executor's handler slot.</param>
/// <param name="Step">Where it goes.</param>
public readonly record struct SlowStepRegistration(int Slot, SlowStep Step);
