using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Witness;

/// <summary>
/// The witness's side of the lease (the <c>redundancy-witness</c> program on a third box): it grants one pair's lease to
/// one node at a time, for <see cref="Lease"/> from each fresh request of the holder, and answers every other node's
/// request with who holds it and for how long. A request counts only when it echoes a recent answer of this witness
/// (a challenge first, on first contact or after either side restarted): a recording, or a request held back and
/// replayed, cannot win or hold the lease. Pure: time from the <see cref="TimeProvider"/>; one thread.
/// </summary>
public sealed class WitnessLeases
{
    private readonly uint _pairId;
    private readonly TimeProvider _time;
    private readonly SentFrames _sent;
    private readonly long _leaseTicks;
    private readonly long _freshWindow;
    private readonly ReplayFilter?[] _replays = new ReplayFilter?[256];
    private byte _holder;
    private long _heldUntil;

    /// <summary>A witness for pair <paramref name="pairId"/> granting leases of <paramref name="lease"/>.</summary>
    public WitnessLeases(uint pairId, TimeSpan lease, TimeProvider time, ulong instance = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lease, TimeSpan.FromMilliseconds(10));
        _pairId = pairId;
        _time = time;
        Lease = lease;
        _sent = new SentFrames(instance == 0 ? SentFrames.NewInstance() : instance);
        _leaseTicks = Ticks(lease);
        _freshWindow = Ticks(lease); // a request echoing an answer older than one lease proves nothing
    }

    /// <summary>How long a grant runs.</summary>
    public TimeSpan Lease { get; }

    /// <summary>This witness's run.</summary>
    public ulong Instance => _sent.Instance;

    /// <summary>Requests answered with a grant, with a denial, with a challenge; and repeats dropped unanswered.</summary>
    public long Granted { get; private set; }

    /// <inheritdoc cref="Granted"/>
    public long Denied { get; private set; }

    /// <inheritdoc cref="Granted"/>
    public long Challenged { get; private set; }

    /// <inheritdoc cref="Granted"/>
    public long Replayed { get; private set; }

    /// <summary>The node that holds the lease now (0: none).</summary>
    public byte HolderAt(long now) => _holder != 0 && now < _heldUntil ? _holder : (byte)0;

    /// <summary>The answer to <paramref name="request"/>, received at <paramref name="receivedAt"/>; null when it gets
    /// none (not a request, or a repeat of one already answered).</summary>
    public WitnessMessage? Answer(in WitnessMessage request, long receivedAt)
    {
        if (request.Kind != WitnessKind.Request || request.PairId != _pairId || request.NodeId == 0)
        {
            return null;
        }

        var replay = _replays[request.NodeId] ??= new ReplayFilter();
        if (replay.Check(request.Instance, request.Counter) != DropReason.None)
        {
            Replayed++;
            return null;
        }

        var fresh = request.EchoInstance == _sent.Instance
            && _sent.TryGetSentAt(request.EchoCounter, out var challengedAt)
            && receivedAt - challengedAt <= _freshWindow;
        if (!fresh)
        {
            Challenged++;
            return Reply(WitnessKind.Challenge, request, receivedAt);
        }

        if (HolderAt(receivedAt) is var holder && (holder == 0 || holder == request.NodeId))
        {
            _holder = request.NodeId;
            _heldUntil = receivedAt + _leaseTicks;
            Granted++;
            return Reply(WitnessKind.Granted, request, receivedAt);
        }

        Denied++;
        return Reply(WitnessKind.Denied, request, receivedAt);
    }

    private WitnessMessage Reply(WitnessKind kind, in WitnessMessage request, long now)
    {
        var holder = HolderAt(now);
        var remaining = holder == 0 ? 0 : (uint)Math.Ceiling(_time.GetElapsedTime(now, _heldUntil).TotalMilliseconds);
        return new WitnessMessage(kind, _pairId, request.NodeId, _sent.Instance, _sent.Next(now), request.Instance, request.Counter, holder, remaining);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
