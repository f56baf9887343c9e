using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Redundancy.Core.Witness;
using Redundancy.Edges.Security;
using Redundancy.Witness;

// redundancy-witness: the tie breaker of one or more pairs, on a third box both nodes reach (the SCADA server). It grants
// each pair's lease to one node at a time over authenticated UDP (the pair key; freshness by echo, as for heartbeats).
// A node whose peer is silent on every link takes over only with the lease (docs/witness.md).
var configPath = "/etc/redundancy/witness.json";
var checkOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--config" when i + 1 < args.Length:
            configPath = args[++i];
            break;
        case "--check-config":
            checkOnly = true;
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: redundancy-witness [--config PATH] [--check-config]\n  --config PATH     the witness configuration (default /etc/redundancy/witness.json)\n  --check-config    validate it and the key files, then exit (0 = valid)");
            return 0;
        default:
            Console.Error.WriteLine($"redundancy-witness: unknown argument '{args[i]}' (see --help)");
            return 64;
    }
}

string text;
try
{
    text = File.ReadAllText(configPath);
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"redundancy-witness: cannot read {configPath}: {ex.Message}");
    return 78;
}

var config = WitnessConfig.Parse(text, out var errors);
var keys = new Dictionary<uint, byte[]>();
foreach (var pair in config?.Pairs ?? [])
{
    try
    {
        keys[pair.PairId] = PairKey.Load(pair.KeyFile);
    }
    catch (InvalidDataException ex)
    {
        errors.Add($"pair {pair.PairId}: {ex.Message}");
    }
}

if (errors.Count > 0)
{
    foreach (var e in errors)
    {
        Console.Error.WriteLine($"redundancy-witness: {configPath}: {e}");
    }

    return 78;
}

if (checkOnly)
{
    Console.WriteLine($"redundancy-witness: {configPath} is valid: {config!.Pairs.Count} pair(s) on {config.Bind}");
    return 0;
}

var time = TimeProvider.System;
var served = config!.Pairs.ToDictionary(p => p.PairId, p => (Key: keys[p.PairId], Leases: new WitnessLeases(p.PairId, p.Lease, time), Holder: (byte)0));
using var socket = new Socket(config.Bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
try
{
    socket.Bind(config.Bind);
}
catch (SocketException ex)
{
    Console.Error.WriteLine($"redundancy-witness: cannot bind {config.Bind}: {ex.Message}");
    return 71;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
Log($"serving {string.Join(", ", config.Pairs.Select(p => $"pair {p.PairId} (lease {p.Lease.TotalMilliseconds:F0} ms)"))} on {socket.LocalEndPoint}");

var buffer = new byte[2048];
var answer = new byte[WitnessMessage.Length];
long dropped = 0;
EndPoint any = new IPEndPoint(config.Bind.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
while (!stop.IsCancellationRequested)
{
    SocketReceiveFromResult got;
    try
    {
        got = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
    catch (SocketException ex)
    {
        Log($"receive failed: {ex.Message}; going on");
        continue;
    }

    var datagram = buffer.AsSpan(0, got.ReceivedBytes);
    var pairId = datagram.Length >= 6 ? BinaryPrimitives.ReadUInt32BigEndian(datagram[2..]) : 0;
    if (!served.TryGetValue(pairId, out var p))
    {
        Dropped($"a datagram from {got.RemoteEndPoint} for pair {pairId}, which this witness does not serve");
        continue;
    }

    if (WitnessMessage.TryDecode(p.Key, datagram, pairId, out var request) is { } why)
    {
        Dropped($"a datagram from {got.RemoteEndPoint}: {why}");
        continue;
    }

    var now = time.GetTimestamp();
    if (p.Leases.Answer(request, now) is not { } reply)
    {
        continue; // a repeat: counted by the lease table, never answered
    }

    var holder = p.Leases.HolderAt(now);
    if (holder != p.Holder)
    {
        Log(holder == 0 ? $"pair {pairId}: lease free" : $"pair {pairId}: lease granted to node {holder} ({got.RemoteEndPoint})");
        served[pairId] = p with { Holder = holder };
    }

    reply.Encode(p.Key, answer);
    try
    {
        await socket.SendToAsync(answer, SocketFlags.None, got.RemoteEndPoint, stop.Token);
    }
    catch (SocketException ex)
    {
        Log($"answer to {got.RemoteEndPoint} not sent: {ex.Message}");
    }
}

Log("stopping");
return 0;

void Dropped(string what)
{
    // One line per 1000 drops at most: a flood must not flood the journal.
    if (dropped++ % 1000 == 0)
    {
        Log($"dropped {what} ({dropped} dropped since start)");
    }
}

void Log(string text) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-dd HH:mm:ss.fff}Z redundancy-witness: {text}"));
