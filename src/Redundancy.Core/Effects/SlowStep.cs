namespace Redundancy.Core.Effects;

/// <summary>Where in a transition a plug-in's slow effect goes (the system IP: added after a takeover drives,
/// removed before a step-down releases).</summary>
public enum SlowStep : byte
{
    /// <summary>After a takeover has driven the outputs and announced: nothing waits for it.</summary>
    AfterTakeover,

    /// <summary>First thing when leaving Active: the step-down waits for it (bounded) before it releases.</summary>
    BeforeStepDown,
}

/// <summary>A slow effect registered with the planner.</summary>
/// <param name="Slot">The executor's handler slot.</param>
/// <param name="Step">Where it goes.</param>
public readonly record struct SlowStepRegistration(int Slot, SlowStep Step);
