namespace Redundancy.Core.Heartbeat;

/// <summary>Frames on our links that are not the peer's authentic heartbeats but look like a misconfigured peer's.</summary>
public enum ForeignFrameKind
{
    /// <summary>Well-formed frames of our pair id whose tag fails: a peer with another pair key.</summary>
    BadTag,

    /// <summary>Well-formed frames carrying another pair id: a peer configured for another pair.</summary>
    OtherPair,

    /// <summary>Frames of a heartbeat version this node does not speak: a peer running another release.</summary>
    OtherVersion,
}
