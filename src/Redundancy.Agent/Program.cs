using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Redundancy.Agent;
using Redundancy.Agent.Engine;
using Redundancy.Agent.Control;
using Redundancy.Agent.Hosting;
using Redundancy.Agent.Replication;
using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Agent.Diagnostics;
using Redundancy.Core.Configuration;
using Redundancy.Core.Replication;
using Redundancy.Edges.Outputs;
using Redundancy.Edges.Net;
using Redundancy.Edges.Security;
using Redundancy.Edges.Storage;

// Exit codes (sysexits): 64 usage, 78 configuration, 71 operating system (cannot bind), 70 internal.
var commandLine = CommandLine.Parse(args, out var usageError);
if (commandLine is null)
{
    Console.Error.WriteLine($"redundancy-agent: {usageError}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 64;
}

string json;
try
{
    json = File.ReadAllText(commandLine.ConfigPath);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"redundancy-agent: config {commandLine.ConfigPath}: cannot read: {ex.Message}");
    return 78;
}

var options = AgentConfig.Parse(json, out var errors);
if (options is null)
{
    Console.Error.WriteLine($"redundancy-agent: config {commandLine.ConfigPath} is invalid:");
    foreach (var e in errors)
    {
        Console.Error.WriteLine($"  {e}");
    }

    return 78;
}

byte[] key;
try
{
    key = PairKey.Load(options.PairKeyFile);
}
catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"redundancy-agent: config {commandLine.ConfigPath}: {ex.Message}");
    return 78;
}

string? mqttPassword = null;
if (options.Mqtt?.PasswordFile is { } passwordFile)
{
    try
    {
        mqttPassword = File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
        if (mqttPassword.Length == 0)
        {
            throw new InvalidDataException($"mqtt.passwordFile {passwordFile} is empty");
        }
    }
    catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"redundancy-agent: config {commandLine.ConfigPath}: mqtt.passwordFile: {ex.Message}");
        return 78;
    }
}

Redundancy.Edges.Mqtt.MqttTls? mqttTls = null;
if (options.Mqtt?.Tls is { } tlsFiles)
{
    try
    {
        mqttTls = Redundancy.Edges.Mqtt.MqttTls.Load(tlsFiles.CaFile, tlsFiles.CertFile, tlsFiles.KeyFile);
    }
    catch (InvalidDataException ex)
    {
        Console.Error.WriteLine($"redundancy-agent: config {commandLine.ConfigPath}: {ex.Message}");
        return 78;
    }
}

if (commandLine.CheckOnly)
{
    Console.WriteLine($"configuration OK: node {options.NodeName} ({options.NodeId}) of pair {options.PairId}, {options.Outputs.Count} output(s)");
    return 0;
}

if (commandLine.ReleaseOutputs)
{
    try
    {
        using var outputs = AgentComposition.CreateOutputs(options, out _);
        outputs.ReleaseAll();
        outputs.DropActive();
        Console.WriteLine($"outputs of node {options.NodeName} released");
        return ReleaseSystemIp(options);
    }
    catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or PlatformNotSupportedException)
    {
        Console.Error.WriteLine($"redundancy-agent: cannot release outputs: {ex.Message}");
        return 71;
    }
}

if (options.SystemIp is not null && CapabilityBound.ReexecKeeping(options.RealtimePriority, ProcessCapabilities.NetAdmin, ProcessCapabilities.NetRaw) is { } notBounded)
{
    // Run as root with a system IP: it keeps only what the address needs (docs/system-ip.md). Not fatal: said, and on.
    Console.Error.WriteLine($"redundancy-agent: {notBounded}; running with the capabilities it was given");
}

ControlAccess access;
try
{
    // Before anything starts: a regular file there is never deleted, and a live agent's socket never taken over.
    // Not for --release-outputs above: ExecStopPost must release the pins whatever lies at that path.
    UnixSocketPath.Claim(options.ControlSocket, "control.socket");
    access = ControlAccess.Resolve(options.ControlGroup); // a group the machine does not know refuses the config
}
catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"redundancy-agent: config {commandLine.ConfigPath}: {ex.Message}");
    return 78;
}

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Logging.SetMinimumLevel(LogLevel.Information);
switch (commandLine.LogFormat)
{
    case "json":
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = false;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        break;
    case "journal" when JournalLoggerProvider.Available():
        // Fields (PRIORITY, EVENT_ID, NODE, FROM, TO, EPOCH, REASON ...) straight to journald; what the runtime itself
        // writes to stdout and stderr still reaches the journal through the unit's standard output.
        builder.Logging.AddProvider(new JournalLoggerProvider());
        break;
    case "journal" or "systemd":
        if (commandLine.LogFormat == "journal")
        {
            Console.Error.WriteLine($"redundancy-agent: no journal at {JournalLoggerProvider.DefaultSocket}: logging to standard output with journal priorities");
        }

        builder.Logging.AddSystemdConsole();
        break;
    default:
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        break;
}

// The console logger writes from its own thread; when it cannot keep up it drops, never blocks the engine.
builder.Services.Configure<ConsoleLoggerOptions>(o =>
{
    o.QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite;
    o.MaxQueueLength = 10_000;
});
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
// The host's own "Application started. Press Ctrl+C" lines say nothing the agent's own start and stop lines do not.
builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
// sd_notify is the agent's own (Redundancy.Edges.Systemd): Microsoft.Extensions.Hosting.Systemd would send READY=1 as
// soon as the host started, before the role is decided, and never WATCHDOG=1.
var notify = Redundancy.Edges.Systemd.SystemdNotifyOptions.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId);

List<Redundancy.Edges.Links.IHeartbeatLink> links;
try
{
    links = AgentComposition.CreateLinks(options);
}
catch (IOException ex)
{
    Console.Error.WriteLine($"redundancy-agent: {ex.Message}");
    return 71;
}

string? fault = null;
var boot = (uint)Random.Shared.Next(); // only when the boot counter is broken: the node is Faulted then anyway
try
{
    boot = new NodeStateStore(options.DataDirectory).NextBoot();
}
catch (StorageException ex)
{
    fault = $"storage: {ex.Message}";
}

var values = new OutputValues(options.Outputs);
StorageWorker? storage = null;
try
{
    var store = ControlStateStore.Open(options.DatabasePath);
    storage = new StorageWorker(store, TimeProvider.System, options.Storage);
    values.Reset(store.SnapshotRows());
    storage.Committed += (entries, _) => values.Apply(entries);
    var recovering = storage;
    storage.Recovered += () => values.Reset(recovering.Store.SnapshotRows()); // the reopened database is the truth
}
catch (StorageException ex)
{
    fault ??= $"storage: {ex.Message}";
}

IOutputBank? bank = null;
var gpioDescription = string.Empty;
try
{
    bank = AgentComposition.CreateOutputs(options, out gpioDescription);
}
catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
{
    fault ??= $"outputs: {ex.Message}";
}

builder.Services.AddSingleton(sp => AgentGraph.Compose(options, key, links, bank, storage, values, boot, fault, access, new MqttSecrets(mqttPassword, mqttTls),
    sp.GetRequiredService<ILoggerFactory>(), TimeProvider.System, notify));
builder.Services.AddHostedService(sp => new EngineService(sp.GetRequiredService<AgentGraph>()));

using var host = builder.Build();
var engine = host.Services.GetRequiredService<AgentGraph>().Engine;
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Redundancy.Agent");
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    engine.EmergencyRelease();
    Log.Crashed(log, options.NodeName, e.ExceptionObject.ToString() ?? "unknown");
};

if (bank is not null)
{
    Log.GpioOpened(log, options.NodeName, gpioDescription, options.Outputs.Count);
}

if (options.Watchdog is null)
{
    Log.ConfigWarning(log, options.NodeName, "no watchdog relay configured: a hung active keeps driving its outputs until systemd restarts it (documented risk)");
}

// A serial crossover on the kernel console carries boot messages and a login prompt between the frames (and the
// peer's frames reach a getty): say so loudly, as an alarm in status and the journal, and run on.
if (options.Serial is { } serial && new Redundancy.Edges.Links.KernelConsole().Conflict(serial.Device) is { } console)
{
    engine.Events.Raise("SerialIsConsole", "serial", console);
}

if (links.Count < 2)
{
    Log.ConfigWarning(log, options.NodeName, "only one heartbeat link configured: a single cable fault will look like a dead peer");
}

// The first takeover may come years after start: pay for compilation and first use now, not then.
Warmup.Run(typeof(Program).Assembly, typeof(AgentConfig).Assembly, typeof(GpioOutputBank).Assembly);
OutputWarmup.Exercise(options);
host.Run(); // disposing the host disposes the engine
return 0;

// ExecStopPost after any exit, kill -9 included: a dead agent's node must not keep answering for the pair's address.
static int ReleaseSystemIp(AgentOptions options)
{
    if (options.SystemIp is not { } ip)
    {
        return 0;
    }

    try
    {
        using var bound = new CancellationTokenSource(ip.Timeout);
        var nic = Redundancy.Edges.Address.NetInterface.Find(ip.Interface);
        var removed = Redundancy.Edges.Address.NetlinkAddresses.RemoveAsync(nic.Index, ip.Address, ip.PrefixLength, bound.Token).GetAwaiter().GetResult();
        Console.WriteLine(removed ? $"system ip {ip.Cidr} removed from {ip.Interface}" : $"system ip {ip.Cidr} was not on {ip.Interface}");
        return 0;
    }
    catch (Exception ex) when (ex is IOException or OperationCanceledException)
    {
        Console.Error.WriteLine($"redundancy-agent: cannot remove system ip {ip.Cidr} from {ip.Interface}: {ex.Message}");
        return 71;
    }
}
