using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Redundancy.Core.Configuration;
using Redundancy.Core.Witness;
using Redundancy.Protocol.Status;

namespace Redundancy.Agent.Witness;

/// <summary>
/// The lighter witness (<c>witness.tcpTarget</c>): on a thread of its own, every half connect timeout while the engine
/// says this node wants to know, it opens a TCP connection to the target, bounded by <c>witness.connectTimeoutMs</c>,
/// closes it at once, and posts to the engine when the newest connection that succeeded began (as the
/// <see cref="WitnessView.LastAnswerAt"/> of a view that holds no lease). Nothing here can hold up the engine: the
/// connect is this thread's own wait, and a failure is logged once per distinct reason.
/// </summary>
internal sealed class TcpTargetClient : IWitnessClient
{
    private readonly WitnessOptions _options;
    private readonly Func<bool> _wants;
    private readonly Action<WitnessView> _post;
    private readonly ILogger _log;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _round;
    private Thread? _thread;
    private string? _lastError;
    private long _reachedAt;
    private volatile bool _asking;

    public TcpTargetClient(WitnessOptions options, string node, Func<bool> wants, Action<WitnessView> post, ILogger log, TimeProvider time)
    {
        _options = options;
        _wants = wants;
        _post = post;
        _log = log;
        _node = node;
        _time = time;
        _round = options.ConnectTimeout / 2 < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : options.ConnectTimeout / 2;
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "witness-tcp" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }

    /// <inheritdoc />
    public WitnessStatus Status()
    {
        var now = _time.GetTimestamp();
        var reached = Volatile.Read(ref _reachedAt);
        var asking = _asking;
        // Two windows, as the WitnessUnreachable alarm counts: a round or two missed on a loaded machine is not news.
        bool? reachable = asking ? reached != 0 && _time.GetElapsedTime(reached, now) <= _options.Lease * 2 : null;
        return new WitnessStatus("tcp-target", _options.Address.ToString(), asking, reachable, null, null,
            reached == 0 ? null : Math.Round(_time.GetElapsedTime(reached, now).TotalMilliseconds, 1));
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            var began = _time.GetTimestamp();
            _asking = _wants();
            if (_asking)
            {
                if (TryConnect() is { } why)
                {
                    Failed(why);
                }
                else
                {
                    _lastError = null;
                    Volatile.Write(ref _reachedAt, began);
                }

                _post(new WitnessView(0, 0, Volatile.Read(ref _reachedAt)));
            }

            var left = _round - _time.GetElapsedTime(began);
            if (left > TimeSpan.Zero)
            {
                _stop.Token.WaitHandle.WaitOne(left);
            }
        }
    }

    /// <summary>One connection, bounded by the connect timeout; null when it succeeded, else why not.</summary>
    private string? TryConnect()
    {
        try
        {
            using var socket = new Socket(_options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            bound.CancelAfter(_options.ConnectTimeout);
            socket.ConnectAsync(_options.Address, bound.Token).AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (OperationCanceledException)
        {
            return $"TCP target {_options.Address}: no connection within {_options.ConnectTimeout.TotalMilliseconds:F0} ms";
        }
        catch (SocketException ex)
        {
            return $"TCP target {_options.Address}: {ex.SocketErrorCode} ({ex.Message})";
        }
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
