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

    /// <summary>Once, when the engine starts, whatever the role will be (the system IP: a node that is not active removes
    /// an address it may have left from a previous life). Planned by <see cref="TransitionPlanner.ForStart"/>.</summary>
    AtStart,

    /// <summary>On the remaining active after a heal: the peer came back, or yielded, while this node stayed active
    /// (the system IP: gratuitous ARP again, as the loser's address went away). Planned by
    /// <see cref="TransitionPlanner.ForHeal"/>, which the engine asks when a <see cref="HealWatch"/> says so.</summary>
    AfterHeal,
}

/// <summary>A slow effect registered with the planner.</summary>
/// <param name="Slot">The executor's handler slot.</param>
/// <param name="Step">Where it goes.</param>
/// <param name="First">Before every other slow effect of its step that is not marked first, whatever the order of
/// registration (the system IP's removal on a step-down: the address goes before anything else of the slow lane).</param>
public readonly record struct SlowStepRegistration(int Slot, SlowStep Step, bool First = false);
