using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Redundancy.Agent.Control;
using Redundancy.Core.Commands;
using Redundancy.Core.Configuration;
using Redundancy.Core.Supervision;
using Redundancy.Protocol.Control;

namespace Redundancy.Agent.Status;

/// <summary>
/// Remote commands over MQTT (off unless <c>mqtt.commands.enabled</c>; docs/mqtt.md, "Remote commands"): a message on
/// <c>&lt;prefix&gt;/&lt;node&gt;/command</c> that the <see cref="RemoteCommandGuard"/> lets through (the pair key's MAC,
/// fresh, its nonce never seen) runs as <c>switchover</c> or <c>maintenance</c> through the same
/// <see cref="OperatorCommands"/> as the CLI's, under the same rules, and is answered, signed, on
/// <c>&lt;prefix&gt;/&lt;node&gt;/reply</c>. A message that is not authentic is counted and logged, never answered.
/// </summary>
/// <remarks>
/// The MQTT client's receive callback only copies the message into a bounded queue (<see cref="QueueBound"/>): a
/// flood from a hostile broker fills it and is refused as <see cref="RemoteRefusal.Busy"/>, counted; it never holds the
/// client's loop, and nothing on the heartbeat, replication or control path waits for any of it. One command runs at
/// a time, on its own loop that survives its own exceptions.
/// </remarks>
internal sealed class RemoteCommands : IAsyncDisposable
{
    /// <summary>Messages waiting to be judged; more are refused as busy.</summary>
    public const int QueueBound = 8;

    private static readonly TimeSpan ReplyBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly byte[] _key;
    private readonly RemoteCommandGuard _guard;
    private readonly OperatorCommands _commands;
    private readonly NodeEvents _events;
    private readonly string _node;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<(string Topic, byte[] Payload)> _queue =
        Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(QueueBound) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _loggedAt = new long[Enum.GetValues<RemoteRefusal>().Length];
    private readonly long[] _unlogged = new long[Enum.GetValues<RemoteRefusal>().Length];
    private Task? _loop;
    private volatile string? _lastRefusal;

    public RemoteCommands(RemoteCommandOptions options, byte[] key, string prefix, string node, OperatorCommands commands, NodeEvents events, ILogger log, TimeProvider time)
    {
        _key = key;
        _guard = new RemoteCommandGuard(key, options.MaxSkew, time);
        _commands = commands;
        _events = events;
        _node = node;
        _log = log;
        _time = time;
        Topic = $"{prefix}/{node}/command";
        ReplyTopic = $"{prefix}/{node}/reply";
    }

    /// <summary>Where commands for this node come.</summary>
    public string Topic { get; }

    /// <summary>Where this node answers them.</summary>
    public string ReplyTopic { get; }

    /// <summary>Publishes a reply on the current connection (set by the publisher; a reply with no connection is lost,
    /// and logged).</summary>
    public Func<string, byte[], CancellationToken, Task>? Publish { get; set; }

    /// <summary>Figures for status.</summary>
    public Protocol.Status.RemoteCommandStatus Report()
    {
        var by = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<RemoteRefusal>())
        {
            if (reason != RemoteRefusal.None && _guard.Refused(reason) is > 0 and var n)
            {
                by[reason.ToString()] = n;
            }
        }

        return new Protocol.Status.RemoteCommandStatus(Topic, _guard.Accepted, _guard.RefusedTotal, by, _lastRefusal);
    }

    /// <summary>A message arrived on <see cref="Topic"/>: queued (copied), or refused as busy when the queue is full.</summary>
    public void Offer(string topic, ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > RemoteCommandCodec.MaxPayload)
        {
            Refused(_guard.Check(topic, payload.Span)); // refused unread, counted
            return;
        }

        if (!_queue.Writer.TryWrite((topic, payload.ToArray())))
        {
            _guard.Count(RemoteRefusal.Busy);
            Refused(new RemoteVerdict(RemoteRefusal.Busy, $"{QueueBound} commands already wait: dropped unread", null));
        }
    }

    public void Start() => _loop = GuardedLoop.RunAsync(
        Run,
        (ex, delay) => Redundancy.Agent.Log.LoopFailed(_log, _node, "remote commands", ex.ToString(), delay.TotalMilliseconds),
        TimeSpan.FromSeconds(1),
        _time,
        _stop.Token);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await Task.WhenAny(loop, Task.Delay(ReplyBound, _time)).ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task Run(CancellationToken stop)
    {
        await foreach (var (topic, payload) in _queue.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            await Handle(topic, payload, stop).ConfigureAwait(false);
        }
    }

    private async Task Handle(string topic, byte[] payload, CancellationToken stop)
    {
        var verdict = _guard.Check(topic, payload);
        if (!verdict.Accepted)
        {
            Refused(verdict);
            if (verdict.Authentic && verdict.Command is { } refused)
            {
                await Reply(refused, verdict, null, stop).ConfigureAwait(false);
            }

            return;
        }

        var c = verdict.Command!;
        var what = c.Op == RemoteOp.Maintenance ? $"maintenance {(c.On ? "on" : "off")}" : c.Force ? "switchover (forced)" : "switchover";
        _events.Command("remote", $"remote {what} from requester '{c.Requester}'{(c.Id is null ? string.Empty : $" (id {c.Id})")} over MQTT, signed with the pair key", Callers.RemoteMqtt);
        ControlResponse response;
        try
        {
            response = c.Op == RemoteOp.Maintenance
                ? await _commands.MaintenanceAsync(c.On, Callers.RemoteMqtt, $"'{c.Requester}' over MQTT", stop).ConfigureAwait(false)
                : await _commands.SwitchoverAsync(c.Force, c.TimeoutMs, Callers.RemoteMqtt, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !stop.IsCancellationRequested)
        {
            // Whatever it was (the engine did not answer in time, a bug), the sender hears how it ended.
            response = ControlProtocol.Failure($"the command did not complete: {ex.GetType().Name}: {ex.Message}");
        }

        await Reply(c, verdict, response, stop).ConfigureAwait(false);
    }

    /// <summary>Answers on the reply topic, signed: the command's id and nonce, whether it ran and how it ended.</summary>
    private async Task Reply(RemoteCommand c, RemoteVerdict verdict, ControlResponse? response, CancellationToken stop)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Relaxed))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WriteString("node", _node);
            if (c.Id is { } id)
            {
                w.WriteString("id", id);
            }

            w.WriteString("nonce", c.Nonce);
            w.WriteNumber("ts", _time.GetUtcNow().ToUnixTimeMilliseconds());
            w.WriteBoolean("ok", response?.Ok ?? false);
            if (!verdict.Accepted)
            {
                w.WriteString("refusal", verdict.Refusal.ToString());
                w.WriteString("error", verdict.Text);
            }
            else if (response is { Ok: false, Error: { } error })
            {
                w.WriteString("error", error);
            }

            if (response is not null)
            {
                w.WritePropertyName("response");
                w.WriteRawValue(ControlProtocol.Format(response));
            }

            w.WriteEndObject();
        }

        var body = Encoding.UTF8.GetString(buffer.WrittenSpan);
        var sealedReply = RemoteCommandCodec.Seal(_key, RemoteCommandCodec.ReplyDomain, ReplyTopic, body);
        if (Publish is not { } publish)
        {
            Redundancy.Agent.Log.RemoteReplyLost(_log, _node, c.Id ?? c.Nonce, "not connected to the broker");
            return;
        }

        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
            bound.CancelAfter(ReplyBound);
            await publish(ReplyTopic, sealedReply, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && !stop.IsCancellationRequested)
        {
            Redundancy.Agent.Log.RemoteReplyLost(_log, _node, c.Id ?? c.Nonce, ex.GetBaseException().Message);
        }
    }

    /// <summary>Counted already; logged at most once per reason every <see cref="LogEvery"/> (a flood must not flood the
    /// journal), with how many went unlogged.</summary>
    private void Refused(RemoteVerdict verdict)
    {
        var text = $"{verdict.Refusal}: {verdict.Text}";
        _lastRefusal = text;
        var i = (int)verdict.Refusal;
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _loggedAt[i]);
        if (last != 0 && _time.GetElapsedTime(last, now) < LogEvery)
        {
            Interlocked.Increment(ref _unlogged[i]);
            return;
        }

        Interlocked.Exchange(ref _loggedAt[i], now);
        var skipped = Interlocked.Exchange(ref _unlogged[i], 0);
        Redundancy.Agent.Log.RemoteRefused(_log, _node, verdict.Refusal.ToString(), verdict.Text ?? string.Empty,
            skipped == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" ({skipped} more of these since the last logged)"));
    }
}
