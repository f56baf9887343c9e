using System.Text.Json.Serialization;

namespace Redundancy.Core.Configuration;

/// <summary>The JSON shape of the configuration file, before validation. Every field is optional here so that
/// a missing one is reported by name rather than as a parse failure.</summary>
internal sealed class AgentConfigFile
{
    public long? PairId { get; set; }
    public long? NodeId { get; set; }
    public string? NodeName { get; set; }
    public long? Priority { get; set; }
    public string? PairKeyFile { get; set; }
    public string? DataDirectory { get; set; }
    public HeartbeatSection? Heartbeat { get; set; }
    public SerialSection? Serial { get; set; }
    public UdpSection? Udp { get; set; }
    public GpioSection? Gpio { get; set; }
    public List<OutputSection?>? Outputs { get; set; }
    public InterlockSection? Interlock { get; set; }
    public WatchdogSection? Watchdog { get; set; }
    public ControlSection? Control { get; set; }
    public ReplicationSection? Replication { get; set; }
    public StorageSection? Storage { get; set; }
    public MqttSection? Mqtt { get; set; }
    public WitnessSection? Witness { get; set; }
    public SystemIpSection? SystemIp { get; set; }

    internal sealed class WitnessSection
    {
        public string? Address { get; set; }
        public string? TcpTarget { get; set; }
        public long? LeaseMs { get; set; }
        public long? ConnectTimeoutMs { get; set; }
        public string? OnIsolation { get; set; }
    }

    internal sealed class SystemIpSection
    {
        public string? Address { get; set; }
        public string? Interface { get; set; }
        public long? ArpCount { get; set; }
        public long? ArpIntervalMs { get; set; }
        public long? TimeoutMs { get; set; }
    }

    internal sealed class MqttSection
    {
        public string? Broker { get; set; }
        public string? ClientId { get; set; }
        public string? Username { get; set; }
        public string? PasswordFile { get; set; }
        public string? Prefix { get; set; }
        public long? StatusIntervalS { get; set; }
        public long? EventQueue { get; set; }
        public SparkplugSection? Sparkplug { get; set; }
        public HomeAssistantSection? HomeAssistant { get; set; }
        public TlsSection? Tls { get; set; }
        public CommandsSection? Commands { get; set; }
    }

    internal sealed class CommandsSection
    {
        public bool? Enabled { get; set; }
        public long? MaxSkewS { get; set; }
    }

    internal sealed class TlsSection
    {
        public string? CaFile { get; set; }
        public string? CertFile { get; set; }
        public string? KeyFile { get; set; }
    }

    internal sealed class HomeAssistantSection
    {
        public bool? Enabled { get; set; }
        public string? DiscoveryPrefix { get; set; }
    }

    internal sealed class SparkplugSection
    {
        public bool? Enabled { get; set; }
        public string? Group { get; set; }
        public string? EdgeNode { get; set; }
        public string? PrimaryHost { get; set; }
    }

    internal sealed class StorageSection
    {
        public long? CommitAlarmMs { get; set; }
        public long? CommitFaultMs { get; set; }
        public long? RetryIntervalMs { get; set; }
    }

    internal sealed class ReplicationSection
    {
        public string? Bind { get; set; }
        public string? Peer { get; set; }
        public string? Mode { get; set; }
        public long? SyncTimeoutMs { get; set; }
        public long? RetentionEntries { get; set; }
        public long? RetentionBytes { get; set; }
    }

    internal sealed class ControlSection
    {
        public string? Socket { get; set; }
        public string? Group { get; set; }
    }

    internal sealed class HeartbeatSection
    {
        public long? IntervalMs { get; set; }
        public long? PeerTimeoutMs { get; set; }
        public long? StartupWindowMs { get; set; }
        public long? TakeoverHoldMs { get; set; }
        public bool? SoloStart { get; set; }
        public long? RealtimePriority { get; set; }
    }

    internal sealed class SerialSection
    {
        public string? Device { get; set; }
        public long? Baud { get; set; }
    }

    internal sealed class UdpSection
    {
        public string? Bind { get; set; }
        public string? Peer { get; set; }
    }

    internal sealed class GpioSection
    {
        public string? Driver { get; set; }
        public System.Text.Json.JsonElement? Chip { get; set; }
        public string? SimulatorSocket { get; set; }
        public I2cSection? I2c { get; set; }
    }

    internal sealed class I2cSection
    {
        public long? Bus { get; set; }
        public long? Address { get; set; }
    }

    internal sealed class OutputSection
    {
        public string? Name { get; set; }
        public long? Pin { get; set; }
        public bool? ActiveLow { get; set; }
        public bool? SafeValue { get; set; }
        public string? Takeover { get; set; }
    }

    internal sealed class InterlockSection
    {
        public long? IAmActivePin { get; set; }
        public long? PeerActivePin { get; set; }
        public bool? PeerActiveThroughRelay { get; set; }
    }

    internal sealed class WatchdogSection
    {
        public long? LifePin { get; set; }
        public long? HoldTimeMs { get; set; }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(AgentConfigFile))]
internal sealed partial class AgentConfigJsonContext : JsonSerializerContext;
