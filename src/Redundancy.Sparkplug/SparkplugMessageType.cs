namespace Redundancy.Sparkplug;

/// <summary>The edge node message types (the topic's verb) this library deals with.</summary>
public enum SparkplugMessageType
{
    /// <summary>Birth certificate: every metric with name, alias, datatype and value; seq 0. QoS 0, not retained.</summary>
    NBirth,

    /// <summary>Changed metrics by alias. QoS 0, not retained.</summary>
    NData,

    /// <summary>Death certificate, the MQTT Will: bdSeq only, no seq. QoS 1, not retained.</summary>
    NDeath,

    /// <summary>A command to the node from a host application (received, never sent by the node).</summary>
    NCmd,
}
