using System.Diagnostics;
using System.Net.Sockets;
using Redundancy.Edges.Outputs.Simulated;

namespace Redundancy.Simulation.Cabinet;

/// <summary>
/// The simulated control cabinet: both nodes' pins, the interlock wires between them, each node's watchdog
/// relay, and the field outputs, on one clock and one timeline. A node is powered while its connection is
/// open: a process that disappears is a box that lost power (its pins fall released); a stopped process
/// keeps its connection and so its pins, as a hung agent on a live Pi does.
/// </summary>
/// <remarks>A node drives a field channel while it is powered, its pin for the channel is an output, and its
/// watchdog relay (if it has one) is closed. Thread-safe.</remarks>
public sealed class SimulatedCabinet : IDisposable
{
    private readonly Socket _listener;
    private readonly Lock _gate = new();
    private readonly List<CabinetEvent> _events = [];
    private readonly Dictionary<string, NodeState> _nodes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];

    /// <summary>Listens on <paramref name="socketPath"/>.</summary>
    public SimulatedCabinet(string socketPath)
    {
        SocketPath = socketPath;
        File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(8);
        Start("cabinet-accept", Accept);
        Start("cabinet-relays", WatchRelays);
    }

    /// <summary>The socket nodes connect to.</summary>
    public string SocketPath { get; }

    /// <summary>The cabinet's clock (the machine's monotonic clock).</summary>
    public static long Now => Stopwatch.GetTimestamp();

    /// <summary>A copy of every event so far, in time order.</summary>
    public IReadOnlyList<CabinetEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.OrderBy(e => e.T).ToArray();
            }
        }
    }

    /// <summary>The timeline of everything so far.</summary>
    public Timeline Timeline() => new(Events);

    /// <summary>
    /// The timeline once the cabinet has read what the nodes already sent: it waits (at most
    /// <paramref name="bound"/>, 5 s by default) until no channel is driven by two nodes at once, then reads. Each
    /// node's messages come on their own socket and thread, so a release that the old active stamped before the new
    /// active drove may still be unread when the new drive is; measuring then would count the gap in the cabinet's
    /// reading as overlap. The times are the nodes' own stamps, so a real overlap still shows in full, and one that
    /// never ends is measured when the bound runs out.
    /// </summary>
    public Timeline SettledTimeline(TimeSpan? bound = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((bound ?? TimeSpan.FromSeconds(5)).TotalSeconds * Stopwatch.Frequency);
        while (DrivenByTwo() && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(5);
        }

        return Timeline();
    }

    private bool DrivenByTwo()
    {
        lock (_gate)
        {
            var seen = new HashSet<string>();
            foreach (var n in _nodes.Values)
            {
                foreach (var channel in n.Driving)
                {
                    if (!seen.Add(channel))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>Adds a note to the timeline (e.g. "kill -9 A") at the current time; returns that time.</summary>
    public long Mark(string text)
    {
        var t = Now;
        lock (_gate)
        {
            _events.Add(new CabinetEvent(t, string.Empty, "mark", text, 0));
        }

        return t;
    }

    /// <summary>Whether <paramref name="node"/> is powered and currently drives <paramref name="channel"/>.</summary>
    public bool IsDriving(string node, string channel)
    {
        lock (_gate)
        {
            return _nodes.TryGetValue(node, out var n) && n.Driving.Contains(channel);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var n in _nodes.Values)
            {
                n.Connection.Dispose();
            }
        }

        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }

    private void Start(string name, Action body)
    {
        var t = new Thread(() => body()) { IsBackground = true, Name = name };
        _threads.Add(t);
        t.Start();
    }

    private void Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            var t = new Thread(() => Serve(connection)) { IsBackground = true, Name = "cabinet-node" };
            t.Start();
        }
    }

    private void Serve(Socket connection)
    {
        NodeState? node = null;
        try
        {
            var header = new byte[3];
            ReadExactly(connection, header);
            if (header[0] != CabinetProtocol.Hello)
            {
                return;
            }

            var body = new byte[(header[1] << 8) | header[2]];
            ReadExactly(connection, body);
            var wiring = CabinetProtocol.DecodeHello(body);
            node = PowerOn(wiring, connection);
            var message = new byte[CabinetProtocol.PinOperationLength];
            while (true)
            {
                ReadExactly(connection, message);
                var (type, pin, op, value) = CabinetProtocol.Read4(message);
                if (type == CabinetProtocol.PinOperation)
                {
                    OnPin(node, pin, op, value, CabinetProtocol.ReadTimestamp(message));
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or EndOfStreamException or IOException or System.Text.Json.JsonException)
        {
            // the node's process is gone: its box lost power
        }
        finally
        {
            if (node is not null)
            {
                PowerOff(node);
            }

            connection.Dispose();
        }
    }

    private NodeState PowerOn(CabinetWiring wiring, Socket connection)
    {
        lock (_gate)
        {
            var node = new NodeState(wiring, connection);
            _nodes[wiring.Node] = node;
            _events.Add(new CabinetEvent(Now, wiring.Node, "power-on", string.Empty, 0));
            UpdateInterlocks(Now);
            return node;
        }
    }

    /// <summary>
    /// Node <paramref name="node"/>'s box loses power now (the harness calls it as it sends SIGKILL): its pins go dead at
    /// this instant, and anything its connection still delivers is ignored. The closed connection later changes nothing.
    /// </summary>
    public void PowerLost(string node)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(node, out var state))
            {
                PowerOff(state);
            }
        }
    }

    private void PowerOff(NodeState node)
    {
        lock (_gate)
        {
            if (!node.Powered)
            {
                return; // already off (PowerLost at the kill; this is the closed connection)
            }

            var t = Now;
            AdvanceRelay(node, t);
            node.Powered = false;
            node.Pins.Clear();
            _events.Add(new CabinetEvent(t, node.Wiring.Node, "power-off", string.Empty, 0));
            UpdateDrives(node, t);
            UpdateInterlocks(t);
            if (_nodes.TryGetValue(node.Wiring.Node, out var current) && ReferenceEquals(current, node))
            {
                _nodes.Remove(node.Wiring.Node);
            }
        }
    }

    private void OnPin(NodeState node, int pin, byte op, byte value, long at)
    {
        lock (_gate)
        {
            if (!node.Powered)
            {
                return; // the box lost power: whatever its socket still held never reached a pin
            }

            // The node's own stamp (same machine clock): when the pin moved, not when this thread got to it.
            var t = Math.Min(at, Now);
            AdvanceRelay(node, t);
            var before = node.Pins.TryGetValue(pin, out var p) ? p : (Output: false, Value: 0);
            switch (op)
            {
                case CabinetProtocol.OpOutput:
                    node.Pins[pin] = (true, value);
                    _events.Add(new CabinetEvent(t, node.Wiring.Node, "pin-output", pin.ToString(System.Globalization.CultureInfo.InvariantCulture), value));
                    break;
                case CabinetProtocol.OpRelease:
                    node.Pins[pin] = (false, 0);
                    _events.Add(new CabinetEvent(t, node.Wiring.Node, "pin-release", pin.ToString(System.Globalization.CultureInfo.InvariantCulture), 0));
                    break;
                case CabinetProtocol.OpWrite:
                    node.Pins[pin] = (before.Output, value);
                    _events.Add(new CabinetEvent(t, node.Wiring.Node, "pin-write", pin.ToString(System.Globalization.CultureInfo.InvariantCulture), value));
                    break;
                default:
                    return;
            }

            if (pin == node.Wiring.LifePin && node.Pins[pin].Value != before.Value)
            {
                node.LastToggle = t; // a retriggerable timer relay retriggers on every edge
                if (!node.RelayClosed)
                {
                    node.RelayClosed = true;
                    _events.Add(new CabinetEvent(t, node.Wiring.Node, "relay-close", string.Empty, 0));
                }
            }

            UpdateDrives(node, t);
            UpdateInterlocks(t);
        }
    }

    private void WatchRelays()
    {
        while (!_stop.Token.WaitHandle.WaitOne(1))
        {
            lock (_gate)
            {
                var t = Now;
                var changed = false;
                foreach (var node in _nodes.Values)
                {
                    changed |= AdvanceRelay(node, t);
                }

                if (changed)
                {
                    UpdateInterlocks(t);
                }
            }
        }
    }

    // Opens the relay at the exact moment its hold time ran out, if that moment has passed.
    private bool AdvanceRelay(NodeState node, long now)
    {
        if (node.Wiring.LifePin is null || !node.RelayClosed)
        {
            return false;
        }

        var expiry = node.LastToggle + (long)(node.Wiring.RelayHoldMs / 1000.0 * Stopwatch.Frequency);
        if (now < expiry)
        {
            return false;
        }

        node.RelayClosed = false;
        _events.Add(new CabinetEvent(expiry, node.Wiring.Node, "relay-open", string.Empty, 0));
        UpdateDrives(node, expiry);
        return true;
    }

    private void UpdateDrives(NodeState node, long t)
    {
        foreach (var channel in node.Wiring.FieldOutputs)
        {
            var driving = node.Powered
                && node.Pins.TryGetValue(channel.Pin, out var p) && p.Output
                && (node.Wiring.LifePin is null || node.RelayClosed);
            if (driving && node.Driving.Add(channel.Name))
            {
                _events.Add(new CabinetEvent(t, node.Wiring.Node, "drive-on", channel.Name, node.Pins[channel.Pin].Value));
            }
            else if (!driving && node.Driving.Remove(channel.Name))
            {
                _events.Add(new CabinetEvent(t, node.Wiring.Node, "drive-off", channel.Name, 0));
            }
        }
    }

    // Each node's "I am active" line is wired to the other's "peer active" input (through the sender's relay
    // when so wired). Inputs are pushed to the receiving node when they change.
    private void UpdateInterlocks(long t)
    {
        foreach (var receiver in _nodes.Values)
        {
            if (receiver.Wiring.PeerActivePin is not { } inputPin || !receiver.Powered)
            {
                continue;
            }

            var sender = _nodes.Values.FirstOrDefault(n => !ReferenceEquals(n, receiver));
            var level = 0;
            if (sender is { Powered: true } && sender.Wiring.IAmActivePin is { } outPin
                && sender.Pins.TryGetValue(outPin, out var p) && p.Output && p.Value == 1
                && (!sender.Wiring.IAmActiveThroughRelay || sender.RelayClosed))
            {
                level = 1;
            }

            if (receiver.PeerInput != level)
            {
                receiver.PeerInput = level;
                _events.Add(new CabinetEvent(t, receiver.Wiring.Node, "input", inputPin.ToString(System.Globalization.CultureInfo.InvariantCulture), level));
                var message = new byte[4];
                CabinetProtocol.Write4(message, CabinetProtocol.InputChanged, inputPin, (byte)level, 0);
                try
                {
                    receiver.Connection.Send(message);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // the receiver is going away; its reader will power it off
                }
            }
        }
    }

    private static void ReadExactly(Socket socket, byte[] buffer)
    {
        var got = 0;
        while (got < buffer.Length)
        {
            var n = socket.Receive(buffer.AsSpan(got));
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            got += n;
        }
    }

    private sealed class NodeState(CabinetWiring wiring, Socket connection)
    {
        public CabinetWiring Wiring { get; } = wiring;
        public Socket Connection { get; } = connection;
        public bool Powered { get; set; } = true;
        public Dictionary<int, (bool Output, int Value)> Pins { get; } = [];
        public HashSet<string> Driving { get; } = [];
        public long LastToggle { get; set; }
        public bool RelayClosed { get; set; }
        public int PeerInput { get; set; } = -1;
    }
}
