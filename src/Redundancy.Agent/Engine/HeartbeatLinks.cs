using Redundancy.Core.Configuration;
using Redundancy.Core.Heartbeat;
using Redundancy.Core.Roles;
using Redundancy.Edges.Links;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The heartbeat links with their receiving and sending threads: receivers judge each frame's evidence and post it
/// to the engine's inbox; senders send the engine's current announcement every interval. Owns the freshness
/// bookkeeping both share (the frames we sent, the peer's echo).
/// </summary>
internal sealed class HeartbeatLinks : IDisposable
{
    private readonly IReadOnlyList<IHeartbeatLink> _links;
    private readonly LinkReceiver[] _receivers;
    private readonly HeartbeatSender[] _senders;
    private readonly CancellationTokenSource _stopping = new();

    public HeartbeatLinks(
        AgentOptions options,
        byte[] key,
        IReadOnlyList<IHeartbeatLink> links,
        EngineInbox inbox,
        EngineView view,
        Func<ulong> lastSequence,
        TimeProvider time)
    {
        _links = links;
        Names = links.Select(l => l.Name).ToArray();
        // Each run sends as a new random instance; freshness comes from the peer echoing our recent frames, so no
        // ordering between runs is needed (a boot record that went backwards or was lost changes nothing).
        Sent = new SentFrames(SentFrames.NewInstance());
        var timeoutTicks = (long)(options.PeerTimeout.TotalSeconds * time.TimestampFrequency);
        var echo = new PeerEvidence(timeoutTicks * RoleOptions.IntervalsPerTimeout, timeoutTicks);
        _receivers = new LinkReceiver[links.Count];
        _senders = new HeartbeatSender[links.Count];
        for (var i = 0; i < links.Count; i++)
        {
            _receivers[i] = new LinkReceiver(i, links[i], key, options.PairId, options.NodeId, inbox, Sent, echo, options.PeerTimeout, time);
            _senders[i] = new HeartbeatSender(links[i], key, options, Sent, echo, () => view.Announcement, () => view.LastProgress, lastSequence, time, _stopping.Token);
        }
    }

    /// <summary>The links' names, in configuration order.</summary>
    public string[] Names { get; }

    /// <summary>Links, in configuration order (the index every input and status uses).</summary>
    public int Count => _links.Count;

    /// <summary>The frames this run sent (its random instance and their send times).</summary>
    public SentFrames Sent { get; }

    /// <summary>The link at <paramref name="i"/>.</summary>
    public IHeartbeatLink this[int i] => _links[i];

    /// <summary>The receiver of link <paramref name="i"/>.</summary>
    public LinkReceiver Receiver(int i) => _receivers[i];

    /// <summary>The sender of link <paramref name="i"/>.</summary>
    public HeartbeatSender Sender(int i) => _senders[i];

    /// <summary>The latest any sender woke after a frame was due.</summary>
    public TimeSpan MaxLate
    {
        get
        {
            var max = TimeSpan.Zero;
            foreach (var s in _senders)
            {
                max = s.MaxLate > max ? s.MaxLate : max;
            }

            return max;
        }
    }

    /// <summary>Whether any link holds input its receiver has not read yet.</summary>
    public bool HasPendingInput
    {
        get
        {
            for (var i = 0; i < _links.Count; i++)
            {
                if (_links[i].HasPendingInput) // indexed: foreach over the interface would box an enumerator
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Starts a receiving and a sending thread per link.</summary>
    public void Start(RealtimeThreads threads)
    {
        for (var i = 0; i < _links.Count; i++)
        {
            var link = _links[i];
            var receiver = _receivers[i];
            var sender = _senders[i];
            threads.Start($"rx-{link.Name}", () => link.RunReceiver(receiver, _stopping.Token));
            threads.Start($"tx-{link.Name}", () => sender.Run(_stopping.Token));
        }
    }

    /// <summary>Makes every sender send at once (a role change).</summary>
    public void Kick()
    {
        foreach (var s in _senders)
        {
            s.Kick.Set();
        }
    }

    /// <summary>Ends the threads: closes the links, which ends their blocking reads.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        foreach (var link in _links)
        {
            link.Dispose();
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var r in _receivers)
        {
            r.Dispose();
        }

        foreach (var s in _senders)
        {
            s.Dispose();
        }

        _stopping.Dispose();
    }
}
