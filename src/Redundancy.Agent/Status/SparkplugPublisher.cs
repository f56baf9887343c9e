using System.Globalization;
using Microsoft.Extensions.Logging;
using Redundancy.Core.Configuration;
using Redundancy.Core.Supervision;
using Redundancy.Edges.Mqtt;
using Redundancy.Sparkplug;

namespace Redundancy.Agent.Status;

/// <summary>
/// This node as a Sparkplug B 3.0 edge node (docs/sparkplug.md), on a connection of its own (a connection has one
/// Will, and this one's is NDEATH): NBIRTH with every metric of the status after each connect (and after the primary
/// host's STATE says online, when one is configured), NDATA with what changed, a rebirth on <c>Node Control/Rebirth</c>.
/// bdSeq grows by one per connect and is kept across restarts (<c>sparkplug-bdseq</c> in the data directory), so the
/// NDEATH a host receives names the birth it ends. Like <see cref="MqttPublisher"/>: its own loop, every call
/// bounded, nothing on the heartbeat, replication or control path waits for it.
/// </summary>
internal sealed class SparkplugPublisher : IAsyncDisposable
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DataEvery = TimeSpan.FromMilliseconds(250);
    private readonly MqttOptions _mqtt;
    private readonly SparkplugOptions _options;
    private readonly string? _password;
    private readonly Redundancy.Edges.Mqtt.MqttTls? _tls;
    private readonly INodeStatusSource _status;
    private readonly NodeEvents _events;
    private readonly string _bdSeqFile;
    private readonly string _node;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly SparkplugTopics _topics;
    private readonly CancellationTokenSource _stop = new();
    private MqttBrokerConnection? _connection;
    private Task? _loop;
    private volatile bool _rebirth;
    private volatile bool _hostOnline;
    private SparkplugHostState? _hostState;
    private SparkplugSession? _session; // of the current connection: its bdSeq is the Will's

    public SparkplugPublisher(MqttOptions mqtt, MqttSecrets secrets, INodeStatusSource status, NodeEvents events, string dataDirectory, string node, ILogger log, TimeProvider time)
    {
        _mqtt = mqtt;
        _options = mqtt.Sparkplug ?? throw new ArgumentException("Sparkplug is not configured", nameof(mqtt));
        _password = secrets.Password;
        _tls = secrets.Tls;
        _status = status;
        _events = events;
        _bdSeqFile = Path.Combine(dataDirectory, "sparkplug-bdseq");
        _node = node;
        _log = log;
        _time = time;
        _topics = new SparkplugTopics(_options.Group, _options.EdgeNode);
        _hostOnline = _options.PrimaryHost is null;
    }

    public void Start() => _loop = GuardedLoop.RunAsync(
        Run,
        (ex, delay) => Redundancy.Agent.Log.LoopFailed(_log, _node, "sparkplug", ex.ToString(), delay.TotalMilliseconds),
        TimeSpan.FromSeconds(1),
        _time,
        _stop.Token);

    /// <summary>On stop: NDEATH (a clean disconnect suppresses the Will, so it is sent by hand first), bounded.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await Task.WhenAny(loop, Task.Delay(CallBound, _time)).ConfigureAwait(false);
        }

        if (_connection is { IsConnected: true } c && _session is { } session)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
                var death = session.Death();
                await c.PublishAsync(death.Topic, death.Payload, retain: false, bound.Token).ConfigureAwait(false);
                await c.DisconnectAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // the broker is away: the Will says NDEATH for us
            }
        }

        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private Task Run(CancellationToken stop) => BrokerReconnectLoop.RunAsync(
        async () =>
        {
            if (_connection is { } old)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            var connection = new MqttBrokerConnection();
            _connection = connection;
            connection.Received += OnReceived;
            return connection;
        },
        async (connection, bound) =>
        {
            // A session per connection: the Will carries this connection's bdSeq, and the birth repeats it.
            var session = new SparkplugSession(_topics, NextBdSeq(), _time);
            _session = session;
            var death = session.Death();
            await connection.ConnectAsync(new MqttConnectSpec(
                _mqtt.Host, _mqtt.Port, $"{_mqtt.ClientId}-spb", _mqtt.Username, _password, death.Topic, death.Payload, WillRetain: false, TimeSpan.FromSeconds(5), _tls), bound).ConfigureAwait(false);
            await connection.SubscribeAsync(_topics.NCmd, bound).ConfigureAwait(false);
            if (_options.PrimaryHost is { } host)
            {
                await connection.SubscribeAsync(SparkplugTopics.State(host), bound).ConfigureAwait(false);
            }

            _events.Clear("Sparkplug", "broker", $"connected to broker {_mqtt.Host}:{_mqtt.Port} as edge node {_topics.EdgeNodeId} (bdSeq {session.BdSeq})");
        },
        (connection, serving) => Serve(connection, _session!, serving),
        ex => _events.Raise("Sparkplug", "broker", $"Sparkplug connection to {_mqtt.Host}:{_mqtt.Port}: {ex.GetBaseException().Message}; retrying, the pair is not affected"),
        _time,
        stop);

    private async Task Serve(MqttBrokerConnection c, SparkplugSession session, CancellationToken stop)
    {
        var born = false;
        while (!stop.IsCancellationRequested)
        {
            if (!c.IsConnected)
            {
                throw new IOException("the broker closed the connection");
            }

            if (!_hostOnline)
            {
                born = false; // Sparkplug 3.0: no birth until the primary host is online; a new birth when it is again
            }
            else
            {
                var metrics = RedundancyMetrics.From(_status.Status());
                var message = !born || _rebirth ? session.Birth(metrics) : session.Data(metrics);
                _rebirth = false;
                born = true;
                if (message is not null)
                {
                    using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    bound.CancelAfter(CallBound);
                    await c.PublishAsync(message.Topic, message.Payload, message.Retain, bound.Token, atMostOnce: message.QualityOfService == 0).ConfigureAwait(false);
                }
            }

            await Task.Delay(DataEvery, _time, stop).ConfigureAwait(false);
        }
    }

    private Task OnReceived(string topic, ReadOnlyMemory<byte> payload)
    {
        if (topic == _topics.NCmd)
        {
            if (SparkplugNodeCommand.TryParse(payload.Span, out var command, out var error))
            {
                _rebirth |= command.Rebirth;
            }
            else
            {
                Redundancy.Agent.Log.LoopFailed(_log, _node, "sparkplug NCMD", $"refused: {error}", 0);
            }
        }
        else if (SparkplugHostState.TryParse(topic, payload.Span, out var state, out _) && state.Supersedes(_hostState))
        {
            _hostState = state;
            _hostOnline = state.Online;
        }

        return Task.CompletedTask;
    }

    /// <summary>The next bdSeq, written (atomically) before it is used: the Will of this connection names it.</summary>
    private byte NextBdSeq()
    {
        byte? previous = null;
        try
        {
            if (File.Exists(_bdSeqFile) && byte.TryParse(File.ReadAllText(_bdSeqFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                previous = p;
            }
        }
        catch (IOException)
        {
            // unreadable: start again at 0 (a host sees a new birth either way)
        }

        var next = SparkplugSession.NextBdSeq(previous);
        var temp = _bdSeqFile + ".tmp";
        File.WriteAllText(temp, next.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, _bdSeqFile, overwrite: true);
        return next;
    }
}
