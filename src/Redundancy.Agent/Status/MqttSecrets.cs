using Redundancy.Edges.Mqtt;

namespace Redundancy.Agent.Status;

/// <summary>What the MQTT connections need from files read once at start: the password and the TLS material.</summary>
/// <param name="Password">The password (mqtt.passwordFile), or null.</param>
/// <param name="Tls">The TLS material (mqtt.tls), or null for plain TCP.</param>
internal sealed record MqttSecrets(string? Password, MqttTls? Tls);
