using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Redundancy.Edges.Mqtt;

namespace Redundancy.Simulation.Harness;

/// <summary>One message a watcher received.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Payload">The payload as text.</param>
/// <param name="T">When it arrived (a Stopwatch timestamp, as the cabinet's).</param>
/// <param name="Bytes">The payload as it came (Sparkplug's are protobuf).</param>
public sealed record MqttMessage(string Topic, string Payload, long T, byte[] Bytes);

/// <summary>A subscriber for tests and the demo: everything under a topic filter, the newest per topic, in arrival
/// order. Reconnects on demand (after the broker was killed).</summary>
public sealed class MqttWatcher : IAsyncDisposable
{
    private readonly MosquittoBroker _broker;
    private readonly string _filter;
    private readonly ConcurrentQueue<MqttMessage> _messages = new();
    private readonly ConcurrentDictionary<string, MqttMessage> _latest = new();
    private MqttBrokerConnection? _connection;

    private MqttWatcher(MosquittoBroker broker, string filter)
    {
        _broker = broker;
        _filter = filter;
    }

    /// <summary>Every message received, in order.</summary>
    public IReadOnlyList<MqttMessage> Messages => _messages.ToArray();

    /// <summary>Subscribes to <paramref name="filter"/> (e.g. <c>redundancy/7/#</c>).</summary>
    public static async Task<MqttWatcher> StartAsync(MosquittoBroker broker, string filter)
    {
        var w = new MqttWatcher(broker, filter);
        await w.ConnectAsync().ConfigureAwait(false);
        return w;
    }

    /// <summary>(Re)connects and subscribes; retained messages arrive again.</summary>
    public async Task ConnectAsync()
    {
        if (_connection is { } old)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        var c = new MqttBrokerConnection();
        c.Received += (topic, payload) =>
        {
            var m = new MqttMessage(topic, Encoding.UTF8.GetString(payload.Span), Stopwatch.GetTimestamp(), payload.ToArray());
            _messages.Enqueue(m);
            _latest[topic] = m;
            return Task.CompletedTask;
        };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await c.ConnectAsync(new MqttConnectSpec("127.0.0.1", _broker.Port, $"watcher-{Guid.NewGuid():N}"[..20], null, null, "watcher/gone", [], false, TimeSpan.FromSeconds(30)), bound.Token).ConfigureAwait(false);
        await c.SubscribeAsync(_filter, bound.Token).ConfigureAwait(false);
        _connection = c;
    }

    /// <summary>Publishes <paramref name="payload"/> on <paramref name="topic"/> (QoS 1), as a host application would.</summary>
    public async Task PublishAsync(string topic, byte[] payload)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _connection!.PublishAsync(topic, payload, retain: false, bound.Token).ConfigureAwait(false);
    }

    /// <summary>The newest message on <paramref name="topic"/>, or null.</summary>
    public MqttMessage? Latest(string topic) => _latest.TryGetValue(topic, out var m) ? m : null;

    /// <summary>Waits until the newest message on <paramref name="topic"/> satisfies <paramref name="match"/>.</summary>
    public MqttMessage? WaitFor(string topic, Func<string, bool> match, TimeSpan timeout)
    {
        MqttMessage? found = null;
        return Poll.Until(() => (found = Latest(topic)) is { } m && match(m.Payload), timeout, everyMs: 5) ? found : null;
    }

    /// <summary>Waits until any message on <paramref name="topic"/> since subscribing satisfies <paramref name="match"/>
    /// (replies, events: not only the newest); returns the first that does.</summary>
    public MqttMessage? WaitForAny(string topic, Func<string, bool> match, TimeSpan timeout)
    {
        MqttMessage? found = null;
        return Poll.Until(() => (found = Messages.FirstOrDefault(m => m.Topic == topic && match(m.Payload))) is not null, timeout, everyMs: 5) ? found : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } c)
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await c.DisconnectAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // the broker may be gone
            }

            await c.DisposeAsync().ConfigureAwait(false);
        }
    }
}
