namespace Redundancy.Core.Replication;

/// <summary>What <see cref="SessionLiveness"/> concludes about a replication session.</summary>
public enum LivenessState
{
    /// <summary>Messages (or keepalives) arrive and sends complete.</summary>
    Alive,

    /// <summary>Nothing arrived for <see cref="KeepaliveOptions.SilentAfter"/>: do not report hot.</summary>
    Silent,

    /// <summary>Nothing arrived for <see cref="KeepaliveOptions.DeadAfter"/>, or a send is stuck: close the session.</summary>
    Dead,
}
