using System.Globalization;

namespace Redundancy.Core.Commands;

/// <summary>
/// Who asked for a command, as the uid that events, logs and the handover frame carry: a user's uid (from the control
/// socket's kernel-recorded credentials), or one of the callers below. One rule for how each is named, on both nodes.
/// </summary>
public static class Callers
{
    /// <summary>The agent itself (a drill's second leg, a peer's request).</summary>
    public const int Agent = -1;

    /// <summary>A remote command over MQTT, authenticated with the pair key (the requester it names is in its own event).</summary>
    public const int RemoteMqtt = -2;

    /// <summary>The caller in plain words: "uid 1000", "the agent", "a remote command over MQTT".</summary>
    public static string Name(long uid) => uid switch
    {
        >= 0 => $"uid {uid.ToString(CultureInfo.InvariantCulture)}",
        RemoteMqtt => "a remote command over MQTT",
        _ => "the agent",
    };

    /// <summary>"asked by uid 1000", "asked by the agent", "asked by a remote command over MQTT".</summary>
    public static string AskedBy(long uid) => $"asked by {Name(uid)}";
}
