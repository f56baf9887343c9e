using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Redundancy.Core.Configuration;
using Redundancy.Core.Witness;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Witness;

/// <summary>
/// Talks to <c>redundancy-witness</c> on a thread of its own (slow I/O: never the engine's or a heartbeat thread): every
/// quarter lease it asks for the lease when the engine says this node wants it (<see cref="LeaseClient"/>: numbered
/// requests, only answers that echo them count), and posts what it knows to the engine as an input after every answer
/// and every round. Every wait is bounded (the receive by the next round); a socket error is logged once and the loop
/// goes on; nothing it does can hold up the engine. What it knows is also kept in single words for the status, read
/// from any thread without a lock.
/// </summary>
internal sealed class WitnessClient : IWitnessClient
{
    private readonly WitnessOptions _options;
    private readonly byte[] _key;
    private readonly uint _pairId;
    private readonly LeaseClient _lease;
    private readonly Func<bool> _wants;
    private readonly Action<WitnessView> _post;
    private readonly ILogger _log;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _round;
    private Thread? _thread;
    private string? _lastError;
    private long _heldUntil;
    private long _lastAnswerAt;
    private int _holder;
    private volatile bool _asking;

    public WitnessClient(WitnessOptions options, byte[] key, uint pairId, byte nodeId, string node, Func<bool> wants, Action<WitnessView> post, ILogger log, TimeProvider time)
    {
        _options = options;
        _key = key;
        _pairId = pairId;
        _wants = wants;
        _post = post;
        _log = log;
        _node = node;
        _time = time;
        _round = options.Lease / 4 < TimeSpan.FromMilliseconds(2) ? TimeSpan.FromMilliseconds(2) : options.Lease / 4;
        _lease = new LeaseClient(pairId, nodeId, options.Lease, time);
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "witness" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(_options.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                socket.Connect(_options.Address);
                Serve(socket);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                Failed($"witness {_options.Address}: {ex.Message}");
                _asking = _wants();
                _stop.Token.WaitHandle.WaitOne(_round);
            }
        }
    }

    private void Serve(Socket socket)
    {
        var request = new byte[WitnessMessage.Length];
        var buffer = new byte[256];
        while (!_stop.IsCancellationRequested)
        {
            var roundEnds = _time.GetTimestamp() + (long)(_round.TotalSeconds * _time.TimestampFrequency);
            var reasked = false;
            _asking = _wants();
            if (_asking)
            {
                _lease.NextRequest(_time.GetTimestamp()).Encode(_key, request);
                socket.Send(request);
            }

            // Answers until the round is over (the receive bounded by what is left of it).
            while (true)
            {
                var left = _time.GetElapsedTime(_time.GetTimestamp(), roundEnds);
                if (left <= TimeSpan.Zero || !socket.Poll((int)Math.Max(1, left.TotalMicroseconds), SelectMode.SelectRead))
                {
                    break;
                }

                int n;
                try
                {
                    n = socket.Receive(buffer);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    Failed($"witness {_options.Address} refuses (nothing listens there)");
                    break;
                }

                if (WitnessMessage.TryDecode(_key, buffer.AsSpan(0, n), _pairId, out var answer) is { } why)
                {
                    Failed($"witness {_options.Address}: a datagram dropped: {why}");
                    continue;
                }

                if (_lease.OnAnswer(answer, _time.GetTimestamp()))
                {
                    _lastError = null;
                    Post();

                    // A challenge (first contact, or either side restarted) is answered at once, not a round later: a
                    // standby starts asking at half the peer timeout, and waiting a round would leave it with no word
                    // of the holder when the takeover falls due. Once a round, so the two cannot loop.
                    if (answer.Kind == WitnessKind.Challenge && !reasked && _wants())
                    {
                        reasked = true;
                        _lease.NextRequest(_time.GetTimestamp()).Encode(_key, request);
                        socket.Send(request);
                    }
                }
            }

            Post();
        }
    }

    /// <inheritdoc />
    public WitnessStatus Status()
    {
        var now = _time.GetTimestamp();
        var last = Volatile.Read(ref _lastAnswerAt);
        var held = Volatile.Read(ref _heldUntil);
        var holder = Volatile.Read(ref _holder);
        var asking = _asking;
        // Two leases, as the WitnessUnreachable alarm counts: a round or two missed on a loaded machine is not news.
        bool? reachable = asking ? last != 0 && _time.GetElapsedTime(last, now) <= _options.Lease * 2 : null;
        return new WitnessStatus("lease", _options.Address.ToString(), asking, reachable, holder == 0 ? null : holder,
            held > now ? Math.Round(_time.GetElapsedTime(now, held).TotalMilliseconds, 1) : 0,
            last == 0 ? null : Math.Round(_time.GetElapsedTime(last, now).TotalMilliseconds, 1));
    }

    private void Post()
    {
        Volatile.Write(ref _heldUntil, _lease.HeldUntil);
        Volatile.Write(ref _lastAnswerAt, _lease.LastAnswerAt);
        Volatile.Write(ref _holder, _lease.LastHolder);
        _post(new WitnessView(_lease.HeldUntil, _lease.LastHolder, _lease.LastAnswerAt));
    }

    private void Failed(string text)
    {
        if (_lastError != text)
        {
            _lastError = text;
            Log.WitnessProblem(_log, _node, text);
        }
    }
}
