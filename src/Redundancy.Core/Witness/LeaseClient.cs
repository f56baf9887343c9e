using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Witness;

/// <summary>
/// A node's side of the witness lease: it numbers its requests, echoes the witness's newest answer, and takes an answer
/// only when it echoes one of its own recent requests (so a recorded grant buys nothing). A grant counts from when the
/// request was sent, not from when the answer came: the witness started the lease later than that, so this node
/// always believes its lease ends before the witness does and never claims a lease the witness has given away.
/// Pure: time from the <see cref="TimeProvider"/>; owned by one thread (the witness client's slow loop).
/// </summary>
public sealed class LeaseClient
{
    private readonly uint _pairId;
    private readonly byte _nodeId;
    private readonly TimeProvider _time;
    private readonly SentFrames _sent;
    private readonly long _freshWindow;
    private ulong _witnessInstance;
    private ulong _witnessCounter;
    private long _heldUntil;

    /// <summary>A client for node <paramref name="nodeId"/> of pair <paramref name="pairId"/>; answers to requests older
    /// than <paramref name="answerWindow"/> are ignored.</summary>
    public LeaseClient(uint pairId, byte nodeId, TimeSpan answerWindow, TimeProvider time, ulong instance = 0)
    {
        _pairId = pairId;
        _nodeId = nodeId;
        _time = time;
        _sent = new SentFrames(instance == 0 ? SentFrames.NewInstance() : instance);
        _freshWindow = (long)(answerWindow.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>When an authentic, fresh answer last came (0: never).</summary>
    public long LastAnswerAt { get; private set; }

    /// <summary>The holder the witness named last (0: none, or not heard).</summary>
    public byte LastHolder { get; private set; }

    /// <summary>Answers ignored: they did not echo a recent request of this node (late, replayed, or for another).</summary>
    public long Ignored { get; private set; }

    /// <summary>Whether this node holds the lease at <paramref name="now"/>.</summary>
    public bool Holds(long now) => now < _heldUntil;

    /// <summary>Until when this node holds the lease (a timestamp; 0 or past: it does not).</summary>
    public long HeldUntil => _heldUntil;

    /// <summary>The next request, sent at <paramref name="now"/>.</summary>
    public WitnessMessage NextRequest(long now) =>
        new(WitnessKind.Request, _pairId, _nodeId, _sent.Instance, _sent.Next(now), _witnessInstance, _witnessCounter, 0, 0);

    /// <summary>Takes an answer received at <paramref name="receivedAt"/>; false when it is ignored.</summary>
    public bool OnAnswer(in WitnessMessage answer, long receivedAt)
    {
        if (answer.Kind is not (WitnessKind.Granted or WitnessKind.Denied or WitnessKind.Challenge) || answer.PairId != _pairId
            || answer.NodeId != _nodeId || answer.EchoInstance != _sent.Instance
            || !_sent.TryGetSentAt(answer.EchoCounter, out var askedAt) || receivedAt - askedAt > _freshWindow)
        {
            Ignored++;
            return false;
        }

        if (answer.Instance != _witnessInstance || answer.Counter > _witnessCounter)
        {
            _witnessInstance = answer.Instance;
            _witnessCounter = answer.Counter;
        }

        LastAnswerAt = receivedAt;
        LastHolder = answer.Holder;
        switch (answer.Kind)
        {
            case WitnessKind.Granted:
                _heldUntil = Math.Max(_heldUntil, askedAt + (long)(answer.RemainingMs / 1000.0 * _time.TimestampFrequency));
                break;
            case WitnessKind.Denied:
                _heldUntil = 0; // another node holds it
                break;
        }

        return true;
    }
}
