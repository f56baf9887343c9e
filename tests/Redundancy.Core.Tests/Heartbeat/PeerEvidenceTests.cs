using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>What a frame proves across all links, and what this node echoes.</summary>
public sealed class PeerEvidenceTests
{
    private const long Hold = 300;
    private const long EchoHold = 100;
    private const ulong Peer = 0xB0B;
    private const ulong PeerBefore = 0xB0B0;

    [Fact]
    public void EchoedFrame_IsFresh()
    {
        var evidence = new PeerEvidence(Hold, EchoHold);

        Assert.Equal(Evidence.Fresh, evidence.Judge(Peer, 1, at: 10, echoed: true));
    }

    [Fact]
    public void FramesOfAnInstanceThatNeverEchoedUs_AreUnverified()
    {
        // A recording of the dead active replayed after this node restarted: new to this run, and never an echo of it.
        var evidence = new PeerEvidence(Hold, EchoHold);

        var judged = Enumerable.Range(1, 50).Select(i => evidence.Judge(PeerBefore, (ulong)i, at: i * 10, echoed: false)).ToArray();

        Assert.All(judged, e => Assert.Equal(Evidence.Unverified, e));
    }

    [Fact]
    public void NewFramesOfAProvenInstance_AreKnownUntilTheHoldRunsOut()
    {
        // A live peer that stopped hearing us (one-way fault): still counted alive for a bounded time.
        var evidence = new PeerEvidence(Hold, EchoHold);
        evidence.Judge(Peer, 1, at: 100, echoed: true);

        Assert.Equal(Evidence.Known, evidence.Judge(Peer, 2, at: 100 + Hold, echoed: false));
        Assert.Equal(Evidence.Unverified, evidence.Judge(Peer, 3, at: 100 + Hold + 1, echoed: false));
    }

    [Fact]
    public void HeldBackFrameOfAProvenInstance_IsUnverified()
    {
        // Held back on one link while the same instance's newer frames came on the other.
        var evidence = new PeerEvidence(Hold, EchoHold);
        evidence.Judge(Peer, 100, at: 100, echoed: true);

        Assert.Equal(Evidence.Known, evidence.Judge(Peer, 99, at: 101, echoed: false)); // the slower link's frame, a moment behind
        Assert.Equal(Evidence.Unverified, evidence.Judge(Peer, 50, at: 102, echoed: false));
    }

    [Fact]
    public void Echo_IsThePeersNewestCounter()
    {
        var evidence = new PeerEvidence(Hold, EchoHold);
        evidence.Judge(Peer, 5, 10, echoed: false);
        evidence.Judge(Peer, 7, 11, echoed: false);
        evidence.Judge(Peer, 6, 12, echoed: false); // an older frame arriving late on the slower link

        Assert.Equal((Peer, 7UL), evidence.Echo(13));
    }

    [Fact]
    public void Echo_StaysWithTheProvenInstanceWhileAReplayOfAnotherArrives()
    {
        var evidence = new PeerEvidence(Hold, EchoHold);
        evidence.Judge(Peer, 5, 10, echoed: true);
        evidence.Judge(PeerBefore, 900, 11, echoed: false); // replayed frame of the peer's earlier run

        Assert.Equal((Peer, 5UL), evidence.Echo(12));
    }

    [Fact]
    public void Echo_MovesToARestartedPeerOnceTheProvenInstanceIsSilent()
    {
        // Not only after the Known hold: a restart takes about a peer timeout here, and the restarted node must be
        // echoed before its start-up window ends.
        var evidence = new PeerEvidence(Hold, EchoHold);
        evidence.Judge(Peer, 5, 10, echoed: true);
        const ulong restarted = 0xB0B1;
        evidence.Judge(restarted, 1, 10 + EchoHold - 1, echoed: false);
        var whileTheOldOneMayStillBeHeard = evidence.Echo(10 + EchoHold - 1);
        evidence.Judge(restarted, 2, 10 + EchoHold + 1, echoed: false);

        Assert.Equal((Peer, 5UL), whileTheOldOneMayStillBeHeard);
        Assert.Equal((restarted, 2UL), evidence.Echo(10 + EchoHold + 1));
        Assert.Equal(Evidence.Fresh, evidence.Judge(restarted, 3, 10 + EchoHold + 2, echoed: true));
    }

    [Fact]
    public void NothingHeard_EchoesZeros()
    {
        Assert.Equal((0UL, 0UL), new PeerEvidence(Hold, EchoHold).Echo(1));
    }
}
