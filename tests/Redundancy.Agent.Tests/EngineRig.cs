using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Redundancy.Agent.Engine;
using Redundancy.Agent.State;
using Redundancy.Agent.Status;
using Redundancy.Core.Configuration;
using Redundancy.Core.Outputs;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Protocol.Events;
using Redundancy.Testing;

namespace Redundancy.Agent.Tests;

/// <summary>
/// Two agent engines in process, joined by an in-memory serial and UDP link, each with a recording output bank,
/// all on one fake clock. No threads run: <see cref="Run"/> moves the clock a millisecond at a time and steps each
/// node's senders and engine loop as their threads would.
/// </summary>
internal sealed class EngineRig : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(30);
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public EngineRig(Func<AgentOptions, AgentOptions>? edit = null, bool startB = true, bool startA = true)
    {
        Serial = MemoryLink.Pair("serial");
        Udp = MemoryLink.Pair("udp");
        A = new RigNode(this, Options(1, "A", 200, edit), [Serial.A, Udp.A]);
        B = new RigNode(this, Options(2, "B", 100, edit), [Serial.B, Udp.B]);
        if (startA)
        {
            A.Begin();
        }

        if (startB)
        {
            B.Begin();
        }
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public (MemoryLink A, MemoryLink B) Serial { get; }

    public (MemoryLink A, MemoryLink B) Udp { get; }

    public RigNode A { get; }

    public RigNode B { get; }

    /// <summary>The outputs both nodes have: pump1 resumes its mirrored value, valve1 goes safe (false) on takeover.</summary>
    public static IReadOnlyList<OutputChannel> Outputs { get; } =
    [
        new OutputChannel("pump1", 5, false, false, TakeoverPolicy.Resume),
        new OutputChannel("valve1", 6, false, false, TakeoverPolicy.Safe),
    ];

    /// <summary>Cuts (or joins) both links.</summary>
    public void CutAll(bool cut)
    {
        Serial.A.Cut = cut;
        Udp.A.Cut = cut;
    }

    /// <summary>Moves the clock by <paramref name="duration"/>, a millisecond at a time, stepping both nodes.</summary>
    public void Run(TimeSpan duration)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
            A.Step();
            B.Step();
        }
    }

    /// <summary>Runs until <paramref name="done"/> holds, at most <paramref name="limit"/>; true when it held.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        var end = Time.GetUtcNow() + limit;
        while (!done())
        {
            if (Time.GetUtcNow() >= end)
            {
                return false;
            }

            Time.Advance(TimeSpan.FromMilliseconds(1));
            A.Step();
            B.Step();
        }

        return true;
    }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }

    private static AgentOptions Options(byte id, string name, byte priority, Func<AgentOptions, AgentOptions>? edit)
    {
        var o = new AgentOptions
        {
            PairId = 7,
            NodeId = id,
            NodeName = name,
            Priority = priority,
            PairKeyFile = "/dev/null",
            DataDirectory = "/nonexistent",
            HeartbeatInterval = Interval,
            PeerTimeout = Timeout,
            StartupWindow = TimeSpan.FromMilliseconds(100),
            SoloStart = true,
            Serial = null,
            Udp = new UdpLinkOptions(new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2)),
            Gpio = new GpioOptions(GpioDrivers.Simulated, GpioChipSelector.Auto, null),
            Outputs = Outputs,
            Interlock = null,
            Watchdog = null,
            Replication = null,
            ControlSocket = "/nonexistent/control.sock",
        };
        return edit is null ? o : edit(o);
    }

    /// <summary>One node: its engine, output bank, output values and events.</summary>
    internal sealed class RigNode : IDisposable
    {
        private readonly EngineRig _rig;
        private bool _begun;
        private bool _stopped;

        public RigNode(EngineRig rig, AgentOptions options, MemoryLink[] links)
        {
            _rig = rig;
            Options = options;
            Links = links;
            Bank = new RecordingOutputBank(options.Outputs.Count, rig.Time);
            Values = new OutputValues(options.Outputs);
            Events = new NodeEvents(new EventStream(options.NodeName, rig.Time), rig.Time);
            var view = new EngineView(links.Length, Announcement.Starting(0, HealthFlags.None), rig.Time.GetTimestamp());
            var inbox = new EngineInbox();
            var heartbeat = new HeartbeatLinks(options, Key, links, inbox, view, () => 0, rig.Time);
            Engine = new AgentEngine(options, view, inbox, heartbeat, new RealtimeThreads(0, NullLogger.Instance, options.NodeName), Bank,
                storage: null, Values, Events, new RoleTransitions(), readiness: null, boot: 1, startupFault: null, NullLogger.Instance, rig.Time);
            for (var i = 0; i < links.Length; i++)
            {
                links[i].Attach(Engine.Links.Receiver(i));
            }
        }

        public AgentOptions Options { get; }

        public MemoryLink[] Links { get; }

        public AgentEngine Engine { get; }

        public RecordingOutputBank Bank { get; }

        public OutputValues Values { get; }

        public NodeEvents Events { get; }

        public Role Role => Engine.Role;

        /// <summary>Whether the node runs (a node that is not stepped is a hung or dead box).</summary>
        public bool Running { get; set; } = true;

        /// <summary>Sets output <paramref name="name"/> in the control state (as a committed write would).</summary>
        public void SetOutput(string name, bool value) =>
            Values.Apply([new ChangeEntry(1, 1, $"outputs/{name}", value ? "true" : "false", 0)]);

        /// <summary>The role changes this node published, in order.</summary>
        public IReadOnlyList<NodeEvent> RoleChanges =>
            Events.Stream.Read(0).Events.Where(e => e.Kind == NodeEventKind.RoleChanged).ToArray();

        public void Begin()
        {
            _begun = true;
            Engine.Begin();
        }

        public void Step()
        {
            if (!_begun || !Running || _stopped)
            {
                return;
            }

            var now = _rig.Time.GetTimestamp();
            for (var i = 0; i < Links.Length; i++)
            {
                var sender = Engine.Links.Sender(i);
                if (now >= sender.Due || sender.Kick.WaitOne(0))
                {
                    // Due, or kicked (a role change goes out at once), as the sender's thread does.
                    sender.SendNow(now);
                }
            }

            _stopped = Engine.Step();
        }

        /// <summary>Stops the node gracefully, as SIGTERM would (the reply comes from the engine's step).</summary>
        public CommandReply Stop()
        {
            var reply = Engine.Send(new EngineCommand(EngineCommandKind.Stop, "test stops the node"));
            Step();
            return reply.IsCompleted ? reply.Result : new CommandReply(false, "no reply");
        }

        public void Dispose() => Engine.Dispose();
    }
}
