using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Redundancy.Core.Configuration;
using Redundancy.Core.Supervision;
using Redundancy.Edges.Mqtt;
using Redundancy.Protocol.Control;

namespace Redundancy.Agent.Status;

/// <summary>
/// Status on MQTT, plain JSON (docs/mqtt.md): the node's retained status (on change and every
/// <see cref="MqttOptions.StatusInterval"/>), its events in sequence order, a retained online flag with a retained
/// "false" Last Will, and, on the active only, the pair's retained "who is active". It reads the status snapshot and
/// the event stream, nothing else, on its own loop: nothing on the heartbeat, replication or control path ever waits
/// for it. The broker may be slow, gone or refusing us: every call is bounded, the loop reconnects with exponential
/// backoff and jitter, status keeps only the newest, and events wait in the node's ring up to
/// <see cref="MqttOptions.EventQueue"/>, the oldest dropped first and counted.
/// </summary>
internal sealed class MqttPublisher : IAsyncDisposable
{
    /// <summary>The JSON schema version of every payload.</summary>
    public const int Schema = 1;

    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);
    private readonly MqttOptions _options;
    private readonly string? _password;
    private readonly Redundancy.Edges.Mqtt.MqttTls? _tls;
    private readonly INodeStatusSource _status;
    private readonly NodeEvents _events;
    private readonly string _node;
    private readonly byte _nodeId;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _statusTopic;
    private readonly string _eventsTopic;
    private readonly string _onlineTopic;
    private readonly string _activeTopic;
    private MqttBrokerConnection? _connection;
    private Task? _loop;
    private long _cursor;
    private long _published;
    private long _droppedEvents;
    private long _connects;
    private volatile bool _connected;
    private volatile string? _lastError;
    private ulong _announcedActiveEpoch;
    private volatile bool _rediscover;

    public MqttPublisher(MqttOptions options, MqttSecrets secrets, INodeStatusSource status, NodeEvents events, string node, byte nodeId, ILogger log, TimeProvider time)
    {
        _options = options;
        _password = secrets.Password;
        _tls = secrets.Tls;
        _status = status;
        _events = events;
        _node = node;
        _nodeId = nodeId;
        _log = log;
        _time = time;
        _statusTopic = $"{options.Prefix}/{node}/status";
        _eventsTopic = $"{options.Prefix}/{node}/events";
        _onlineTopic = $"{options.Prefix}/{node}/online";
        _activeTopic = $"{options.Prefix}/active";
    }

    /// <summary>Remote commands on this connection (null: off, the default).</summary>
    public RemoteCommands? Commands { get; init; }

    /// <summary>Figures for status: connected, messages published, events dropped while the broker was away.</summary>
    public Protocol.Status.MqttStatus Report() => new(
        $"{_options.Host}:{_options.Port}", _connected, Interlocked.Read(ref _published), Interlocked.Read(ref _droppedEvents), Interlocked.Read(ref _connects), _lastError,
        Commands?.Report());

    public void Start()
    {
        // Events from the start of this run: the broker sees the start-up, up to the queue bound.
        _cursor = 0;
        Commands?.Start();
        _loop = GuardedLoop.RunAsync(
            Run,
            (ex, delay) => Redundancy.Agent.Log.LoopFailed(_log, _node, "mqtt", ex.ToString(), delay.TotalMilliseconds),
            TimeSpan.FromSeconds(1),
            _time,
            _stop.Token);
    }

    /// <summary>On stop: the last status (Stopping), online false, and a clean disconnect; bounded.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await Task.WhenAny(loop, Task.Delay(CallBound, _time)).ConfigureAwait(false);
        }

        if (_connection is { IsConnected: true } c)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
                await c.PublishAsync(_statusTopic, StatusPayload(), retain: true, bound.Token).ConfigureAwait(false);
                await c.PublishAsync(_onlineTopic, "false"u8.ToArray(), retain: true, bound.Token).ConfigureAwait(false);
                await c.DisconnectAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // the broker is away: its Will says offline for us
            }
        }

        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        if (Commands is { } commands)
        {
            await commands.DisposeAsync().ConfigureAwait(false);
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
            connection.Received += (topic, payload) =>
            {
                if (Commands is { } commands && topic == commands.Topic)
                {
                    commands.Offer(topic, payload); // copied and queued: the client's loop never waits for a command
                    return Task.CompletedTask;
                }

                // Home Assistant restarted: it forgets discovered devices unless they are published again.
                if (_options.HomeAssistantPrefix is { } ha && topic == $"{ha}/status" && payload.Span.SequenceEqual("online"u8))
                {
                    _rediscover = true;
                }

                return Task.CompletedTask;
            };
            return connection;
        },
        async (connection, bound) =>
        {
            await connection.ConnectAsync(Spec(), bound).ConfigureAwait(false);
            Interlocked.Increment(ref _connects);
            _connected = true;
            _lastError = null;
            _events.Clear("Mqtt", "broker", $"connected to broker {_options.Host}:{_options.Port}");
        },
        async (connection, serving) =>
        {
            try
            {
                await Serve(connection, serving).ConfigureAwait(false);
            }
            finally
            {
                _connected = false;
            }
        },
        ex =>
        {
            var text = ex is MqttConnectException ? ex.Message : $"connection to broker {_options.Host}:{_options.Port} lost: {ex.GetBaseException().Message}";
            if (_lastError != text)
            {
                _lastError = text;
                _events.Raise("Mqtt", "broker", $"{text}; status and events wait (events up to {_options.EventQueue}), the pair is not affected; retrying");
            }
        },
        _time,
        stop);

    /// <summary>Connected: online, status, active, then events as they come and status on every change and interval.</summary>
    private async Task Serve(MqttBrokerConnection c, CancellationToken stop)
    {
        await Publish(c, _onlineTopic, "true"u8.ToArray(), retain: true, stop).ConfigureAwait(false);
        var status = await PublishStatus(c, stop).ConfigureAwait(false);
        if (Commands is { } commands)
        {
            commands.Publish = (topic, payload, token) => c.PublishAsync(topic, payload, retain: false, token);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
            bound.CancelAfter(CallBound);
            await c.SubscribeAsync(commands.Topic, bound.Token).ConfigureAwait(false);
        }

        if (_options.HomeAssistantPrefix is { } ha)
        {
            using (var bound = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                bound.CancelAfter(CallBound);
                await c.SubscribeAsync($"{ha}/status", bound.Token).ConfigureAwait(false);
            }

            await PublishDiscovery(c, ha, status, stop).ConfigureAwait(false);
        }

        _announcedActiveEpoch = 0;
        await PublishActive(c, status, stop).ConfigureAwait(false);
        var nextStatus = _time.GetTimestamp() + Ticks(_options.StatusInterval);
        while (!stop.IsCancellationRequested)
        {
            if (!c.IsConnected)
            {
                throw new IOException("the broker closed the connection");
            }

            var wait = _time.GetElapsedTime(_time.GetTimestamp(), nextStatus);
            var more = _events.Stream.Last > _cursor
                || await _events.Stream.WaitAsync(_cursor, wait > TimeSpan.Zero ? Min(wait, TimeSpan.FromSeconds(1)) : TimeSpan.Zero, stop).ConfigureAwait(false);
            var changed = false;
            if (more)
            {
                await Task.Delay(Coalesce, _time, stop).ConfigureAwait(false); // a takeover comes as several events: one status for them
                changed = await PublishEvents(c, stop).ConfigureAwait(false);
            }

            if (_rediscover && _options.HomeAssistantPrefix is { } again)
            {
                _rediscover = false;
                await PublishDiscovery(c, again, status, stop).ConfigureAwait(false);
            }

            if (changed || _time.GetTimestamp() >= nextStatus)
            {
                status = await PublishStatus(c, stop).ConfigureAwait(false);
                await PublishActive(c, status, stop).ConfigureAwait(false);
                nextStatus = _time.GetTimestamp() + Ticks(_options.StatusInterval);
            }
        }
    }

    /// <summary>Publishes the events after the cursor, the oldest beyond the queue bound dropped and counted.</summary>
    private async Task<bool> PublishEvents(MqttBrokerConnection c, CancellationToken stop)
    {
        var last = _events.Stream.Last;
        var keepFrom = last - _options.EventQueue;
        if (_cursor < keepFrom)
        {
            Interlocked.Add(ref _droppedEvents, keepFrom - _cursor);
            _cursor = keepFrom;
        }

        var page = _events.Stream.Read(_cursor);
        Interlocked.Add(ref _droppedEvents, page.Missed);
        foreach (var e in page.Events)
        {
            var payload = Json(w =>
            {
                w.WritePropertyName("event");
                JsonSerializer.Serialize(w, e, ControlJsonContext.Default.NodeEvent);
            });
            await Publish(c, _eventsTopic, payload, retain: false, stop).ConfigureAwait(false);
            _cursor = e.Sequence;
        }

        _cursor = Math.Max(_cursor, page.Next);
        return page.Events.Count > 0;
    }

    private async Task<Protocol.Status.NodeStatus> PublishStatus(MqttBrokerConnection c, CancellationToken stop)
    {
        var status = _status.Status();
        await Publish(c, _statusTopic, StatusPayload(status), retain: true, stop).ConfigureAwait(false);
        return status;
    }

    /// <summary>The pair's "who is active": written by the active only, when it becomes active (or reconnects).</summary>
    private async Task PublishActive(MqttBrokerConnection c, Protocol.Status.NodeStatus status, CancellationToken stop)
    {
        if (status.Role != "Active" || status.Epoch == _announcedActiveEpoch)
        {
            return;
        }

        var since = status.LastTakeover is { Epoch: var e } t && e == status.Epoch ? t.At : status.StartedAt;
        var payload = Json(w =>
        {
            w.WriteString("node", _node);
            w.WriteNumber("nodeId", _nodeId);
            w.WriteNumber("epoch", status.Epoch);
            w.WriteString("since", since);
        });
        await Publish(c, _activeTopic, payload, retain: true, stop).ConfigureAwait(false);
        _announcedActiveEpoch = status.Epoch;
    }

    /// <summary>
    /// Home Assistant device discovery (one retained message per node, <c>&lt;ha&gt;/device/&lt;id&gt;/config</c>): the
    /// node's role, readiness, service level and each link, and the pair's active node, read from the topics this node
    /// publishes, available while its online topic says true.
    /// </summary>
    private async Task PublishDiscovery(MqttBrokerConnection c, string ha, Protocol.Status.NodeStatus status, CancellationToken stop)
    {
        var id = $"redundancy-{status.PairId}-{_node}";
        var payload = Json(w =>
        {
            w.WriteStartObject("dev");
            w.WriteStartArray("ids");
            w.WriteStringValue(id);
            w.WriteEndArray();
            w.WriteString("name", $"Redundancy pair {status.PairId} node {_node}");
            w.WriteString("mf", "Redundancy");
            w.WriteString("mdl", "redundancy-agent");
            w.WriteString("sw", status.Version);
            w.WriteEndObject();
            w.WriteStartObject("o");
            w.WriteString("name", "redundancy-agent");
            w.WriteString("sw", status.Version);
            w.WriteEndObject();
            w.WriteString("avty_t", _onlineTopic);
            w.WriteString("pl_avail", "true");
            w.WriteString("pl_not_avail", "false");
            w.WriteNumber("qos", 1);
            w.WriteStartObject("cmps");
            Component(w, id, "role", "sensor", "Role", _statusTopic, "{{ value_json.status.role }}");
            Component(w, id, "readiness", "sensor", "Standby readiness", _statusTopic, "{{ value_json.status.readiness }}");
            Component(w, id, "service_level", "sensor", "Service level", _statusTopic, "{{ value_json.status.serviceLevel }}");
            foreach (var link in status.Links)
            {
                Component(w, id, $"link_{link.Name}", "binary_sensor", $"{link.Name} link", _statusTopic,
                    $"{{{{ 'ON' if (value_json.status.links | selectattr('name', 'equalto', '{link.Name}') | first).up else 'OFF' }}}}", "connectivity");
            }

            Component(w, id, "pair_active", "sensor", "Pair active node", _activeTopic, "{{ value_json.node }}");
            w.WriteEndObject();
        }, schema: false);
        await Publish(c, $"{ha}/device/{id}/config", payload, retain: true, stop).ConfigureAwait(false);
    }

    private static void Component(Utf8JsonWriter w, string id, string key, string platform, string name, string stateTopic, string template, string? deviceClass = null)
    {
        w.WriteStartObject(key);
        w.WriteString("p", platform);
        w.WriteString("name", name);
        w.WriteString("uniq_id", $"{id}-{key}");
        w.WriteString("stat_t", stateTopic);
        w.WriteString("val_tpl", template);
        if (deviceClass is not null)
        {
            w.WriteString("dev_cla", deviceClass);
        }

        w.WriteEndObject();
    }

    private async Task Publish(MqttBrokerConnection c, string topic, byte[] payload, bool retain, CancellationToken stop)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
        bound.CancelAfter(CallBound);
        try
        {
            await c.PublishAsync(topic, payload, retain, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException($"the broker did not acknowledge a message on {topic} within {CallBound.TotalSeconds:F0} s");
        }

        Interlocked.Increment(ref _published);
    }

    private byte[] StatusPayload(Protocol.Status.NodeStatus? status = null)
    {
        var s = status ?? _status.Status();
        return Json(w =>
        {
            w.WritePropertyName("status");
            JsonSerializer.Serialize(w, s, ControlJsonContext.Default.NodeStatus);
        });
    }

    private MqttConnectSpec Spec() => new(
        _options.Host, _options.Port, _options.ClientId, _options.Username, _password, _onlineTopic, "false"u8.ToArray(), WillRetain: true,
        KeepAlive: TimeSpan.FromSeconds(5), _tls);

    /// <summary>One JSON object, <c>"schema"</c> first unless <paramref name="schema"/> is false (Home Assistant's
    /// discovery format is its own).</summary>
    private static byte[] Json(Action<Utf8JsonWriter> fields, bool schema = true)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (schema)
            {
                w.WriteNumber("schema", Schema);
            }

            fields(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
