namespace Redundancy.Core.Effects;

/// <summary>What an <see cref="Effect"/> does. Fast kinds run inline on the engine thread; slow ones in order on
/// the slow lane (see <see cref="Effect.IsSlow"/>).</summary>
public enum EffectKind : byte
{
    /// <summary>Raise the "I am active" line (the peer's interlock input).</summary>
    AssertActive,

    /// <summary>Toggle the life output now (retriggers the watchdog relay) and keep toggling it from the loop.</summary>
    StartLife,

    /// <summary>Drive output <see cref="Effect.Output"/> to <see cref="Effect.Value"/> (logical).</summary>
    Drive,

    /// <summary>Start taking writes in epoch <see cref="Effect.Epoch"/>: storage persists it before the first write.</summary>
    StartTerm,

    /// <summary>Stop taking writes (the active steps down).</summary>
    StopWrites,

    /// <summary>Release every field output.</summary>
    ReleaseOutputs,

    /// <summary>Drop the "I am active" line.</summary>
    DropActive,

    /// <summary>Publish the new role and epoch in the heartbeats (and to every subscriber of transitions).</summary>
    Announce,

    /// <summary>Raise the alarm that a takeover drove safe values because the state is not agreed with the pair.</summary>
    AlarmStateNotAgreed,

    /// <summary>A slow effect of a plug-in (the system IP, a witness lease): run on the slow lane by the handler
    /// registered for <see cref="Effect.Slot"/>.</summary>
    Slow,

    /// <summary>An unfenced takeover's first word: publish "active, epoch <see cref="Effect.Epoch"/>" in the heartbeats
    /// and send it at once on every link, before any output is driven, so that a peer that still hears us yields first.</summary>
    Herald,

    /// <summary>Wait <see cref="Effect.Hold"/> before the rest of the plan (the outputs): the engine loop goes on
    /// meanwhile, and a newer decision (the peer answered with a higher epoch) cancels the drives.</summary>
    Hold,
}
