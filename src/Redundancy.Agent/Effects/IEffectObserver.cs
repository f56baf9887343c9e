namespace Redundancy.Agent.Effects;

/// <summary>What the <see cref="EffectExecutor"/> tells the engine while it runs a plan (on the engine thread).</summary>
internal interface IEffectObserver
{
    /// <summary>The Announce effect: publish the machine's role and epoch (heartbeats, transitions, the event).</summary>
    void Announce(ulong epoch);

    /// <summary>The Herald effect: an unfenced takeover publishes "active, epoch N" and sends it on every link now,
    /// before it drives (the role-change event and transitions wait for <see cref="Announce"/>).</summary>
    void Herald(ulong epoch);

    /// <summary>A takeover drove safe values because the state is not agreed with the pair.</summary>
    void StateNotAgreed();

    /// <summary>Releasing (or driving) the outputs failed during a step-down; the plan went on.</summary>
    void OutputsFailed(string error);

    /// <summary>The outputs were released.</summary>
    void OutputsReleased();

    /// <summary>A slow effect failed, or was abandoned past its bound or for a newer plan; the plan went on.</summary>
    void SlowEffectFailed(string error);
}
