using Redundancy.Protocol.Events;

namespace Redundancy.Agent.Status;

/// <summary>
/// The node's events, numbered 1, 2, 3 ... as they are published, kept in a ring of <see cref="Capacity"/> and
/// dropped oldest-first when it is full (with a count). Every reader keeps its own position: the journal writer,
/// the control socket's <c>events</c> op, MQTT, the tests. Thread-safe: any thread publishes (the engine, storage,
/// the control socket); a reader never holds the lock for longer than a copy of what it asked for.
/// </summary>
internal sealed class EventStream
{
    /// <summary>Events kept by default: a day of a busy pair's alarms, far more than any reader falls behind.</summary>
    public const int DefaultCapacity = 1024;

    private readonly NodeEvent?[] _ring;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly string _node;
    private long _last;
    private long _dropped;
    private TaskCompletionSource _published = NewSignal();

    public EventStream(string node, TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _node = node;
        _time = time;
        _ring = new NodeEvent?[capacity];
    }

    /// <summary>Events the ring can hold.</summary>
    public int Capacity => _ring.Length;

    /// <summary>The newest event's number (0 before the first).</summary>
    public long Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Events dropped (oldest first) because the ring was full, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Publishes an event: numbers it, stamps it with the time and node, and wakes every waiting reader (their
    /// continuations run on the pool, never on the publishing thread).
    /// </summary>
    public NodeEvent Publish(NodeEventKind kind, string reason, string? subject = null, string? alarm = null, string? from = null,
        string? to = null, ulong? epoch = null, double? detectionMs = null, double? takeoverMs = null, int? uid = null)
    {
        NodeEvent e;
        TaskCompletionSource published;
        lock (_gate)
        {
            e = new NodeEvent
            {
                Sequence = _last + 1,
                Time = _time.GetUtcNow(),
                Node = _node,
                Kind = kind,
                Reason = reason,
                Subject = subject,
                Alarm = alarm,
                From = from,
                To = to,
                Epoch = epoch,
                DetectionMs = detectionMs,
                TakeoverMs = takeoverMs,
                Uid = uid,
            };
            _last = e.Sequence;
            var slot = (int)((e.Sequence - 1) % _ring.Length);
            if (_ring[slot] is not null)
            {
                Interlocked.Increment(ref _dropped);
            }

            _ring[slot] = e;
            published = _published;
            _published = NewSignal();
        }

        published.TrySetResult();
        return e;
    }

    /// <summary>
    /// The retained events after number <paramref name="since"/>, oldest first, at most <paramref name="max"/>;
    /// <c>Missed</c> counts those after <paramref name="since"/> that were dropped before this read.
    /// </summary>
    public EventPage Read(long since, int max = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(since);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_gate)
        {
            var oldest = Math.Max(1, _last - _ring.Length + 1);
            var from = Math.Max(since + 1, oldest);
            var missed = _last == 0 ? 0 : Math.Max(0, oldest - (since + 1));
            var count = (int)Math.Clamp(_last - from + 1, 0, max);
            var events = new NodeEvent[count];
            for (var i = 0; i < count; i++)
            {
                events[i] = _ring[(int)((from + i - 1) % _ring.Length)]!;
            }

            return new EventPage(events, count == 0 ? Math.Max(since, Math.Min(since, _last)) : events[^1].Sequence, missed, _last);
        }
    }

    /// <summary>
    /// Waits until an event after <paramref name="since"/> exists or <paramref name="timeout"/> passes (measured on
    /// this stream's clock); true when one exists.
    /// </summary>
    public async Task<bool> WaitAsync(long since, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (_last > since)
            {
                return true;
            }

            signal = _published.Task;
        }

        try
        {
            await signal.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // fall through: the answer is whether one came meanwhile
        }

        return Last > since;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A reader's page of events.</summary>
/// <param name="Events">The events, oldest first.</param>
/// <param name="Next">The number to ask after next time (the newest returned, or the asked one when none).</param>
/// <param name="Missed">Events after the asked number that were dropped before they could be read.</param>
/// <param name="Last">The newest event's number at the time of the read.</param>
internal sealed record EventPage(IReadOnlyList<NodeEvent> Events, long Next, long Missed, long Last);
