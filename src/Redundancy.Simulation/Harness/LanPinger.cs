using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// The LAN's client pinging the pair's system IP every millisecond: echo requests from a raw ICMP socket, and the
/// replies read off the client's interface with an AF_PACKET socket, so each reply is known with its arrival time and
/// the MAC that answered it. Both sockets are made inside the client's namespace. Threads of its own; stopped by
/// <see cref="Dispose"/>. Times are <see cref="Stopwatch"/> timestamps (the cabinet's clock).
/// </summary>
public sealed class LanPinger : IDisposable
{
    private readonly Socket _icmp;
    private readonly Socket _capture;
    private readonly IPEndPoint _target;
    private readonly byte[] _targetBytes;
    private readonly ushort _id = (ushort)(Environment.ProcessId ^ Random.Shared.Next(65536));
    private readonly object _gate = new();
    private readonly List<long> _sentAt = [];
    private readonly Dictionary<int, (long At, string Mac)> _replies = [];
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private volatile bool _stop;

    /// <summary>Starts pinging <paramref name="target"/> from namespace <paramref name="ns"/>, reading replies on
    /// <paramref name="clientInterface"/>.</summary>
    public LanPinger(string ns, string clientInterface, string target, TimeSpan? every = null)
    {
        _target = new IPEndPoint(IPAddress.Parse(target), 0);
        _targetBytes = _target.Address.GetAddressBytes();
        (_icmp, _capture) = NetnsPair.RunIn(ns, () =>
        {
            var index = (int)System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().First(n => n.Name == clientInterface).GetIPProperties().GetIPv4Properties().Index;
            var capture = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)IPAddress.HostToNetworkOrder((short)0x0800));
            capture.Bind(new PacketEndPoint(index, 0x0800));
            capture.ReceiveTimeout = 200;
            return (new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp), capture);
        });
        var period = every ?? TimeSpan.FromMilliseconds(1);
        _sender = new Thread(() => Send(period)) { IsBackground = true, Name = "lan pinger" };
        _receiver = new Thread(Receive) { IsBackground = true, Name = "lan pinger replies" };
        _receiver.Start();
        _sender.Start();
    }

    /// <summary>Echo requests sent so far.</summary>
    public int Sent
    {
        get
        {
            lock (_gate)
            {
                return _sentAt.Count;
            }
        }
    }

    /// <summary>Requests sent in [<paramref name="from"/>, <paramref name="until"/>] that got no reply (so far).</summary>
    public int Lost(long from, long until)
    {
        lock (_gate)
        {
            var lost = 0;
            for (var seq = 0; seq < _sentAt.Count; seq++)
            {
                if (_sentAt[seq] >= from && _sentAt[seq] <= until && !_replies.ContainsKey(seq))
                {
                    lost++;
                }
            }

            return lost;
        }
    }

    /// <summary>Replies that arrived in [<paramref name="from"/>, <paramref name="until"/>].</summary>
    public int Answered(long from, long until)
    {
        lock (_gate)
        {
            return _replies.Values.Count(r => r.At >= from && r.At <= until);
        }
    }

    /// <summary>When the first reply from <paramref name="mac"/> arrived at or after <paramref name="after"/>, or null.</summary>
    public long? FirstReplyFrom(string mac, long after)
    {
        lock (_gate)
        {
            long? first = null;
            foreach (var r in _replies.Values)
            {
                if (r.At >= after && r.Mac == mac && (first is null || r.At < first))
                {
                    first = r.At;
                }
            }

            return first;
        }
    }

    /// <summary>The MACs that answered at or after <paramref name="after"/>, with how many replies each.</summary>
    public IReadOnlyDictionary<string, int> AnsweredBy(long after)
    {
        lock (_gate)
        {
            return _replies.Values.Where(r => r.At >= after).GroupBy(r => r.Mac).ToDictionary(g => g.Key, g => g.Count());
        }
    }

    public void Dispose()
    {
        _stop = true;
        _sender.Join(TimeSpan.FromSeconds(2));
        _receiver.Join(TimeSpan.FromSeconds(2));
        _icmp.Dispose();
        _capture.Dispose();
    }

    private void Send(TimeSpan period)
    {
        var request = new byte[16];
        var next = Stopwatch.GetTimestamp();
        var step = (long)(period.TotalSeconds * Stopwatch.Frequency);
        while (!_stop)
        {
            int seq;
            lock (_gate)
            {
                seq = _sentAt.Count;
                _sentAt.Add(Stopwatch.GetTimestamp());
            }

            request.AsSpan().Clear();
            request[0] = 8; // echo request
            BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), _id);
            BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), (ushort)seq);
            BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(8), seq);
            BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), Checksum(request));
            try
            {
                _icmp.SendTo(request, _target);
            }
            catch (SocketException)
            {
                // no route or no neighbour yet: a lost ping, counted as such
            }

            next += step;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            else if (-wait > TimeSpan.FromMilliseconds(50))
            {
                next = Stopwatch.GetTimestamp(); // fell far behind (a stalled machine): no burst to catch up
            }
        }
    }

    private void Receive()
    {
        var frame = new byte[2048];
        while (!_stop)
        {
            int n;
            try
            {
                n = _capture.Receive(frame);
            }
            catch (SocketException)
            {
                continue; // the receive timeout: look at _stop again
            }

            var at = Stopwatch.GetTimestamp();
            if (n < 14 + 20 + 16 || frame[12] != 0x08 || frame[13] != 0x00 || frame[14 + 9] != 1)
            {
                continue;
            }

            var ihl = (frame[14] & 0x0f) * 4;
            var icmp = 14 + ihl;
            if (!frame.AsSpan(14 + 12, 4).SequenceEqual(_targetBytes) || n < icmp + 16 || frame[icmp] != 0
                || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(icmp + 4)) != _id)
            {
                continue;
            }

            var seq = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(icmp + 8));
            var mac = string.Join(':', frame[6..12].Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            lock (_gate)
            {
                _replies.TryAdd(seq, (at, mac));
            }
        }
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private sealed class PacketEndPoint(int index, ushort etherType) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var sa = new SocketAddress(AddressFamily.Packet, 20);
            var b = sa.Buffer.Span;
            BinaryPrimitives.WriteUInt16BigEndian(b[2..], etherType);
            BinaryPrimitives.WriteInt32LittleEndian(b[4..], index);
            return sa;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}
