using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Witness;

namespace Redundancy.Core.Tests.Witness;

/// <summary>The witness lease through its wire form: one holder at a time, fresh requests only, grants a node can trust.</summary>
public sealed class WitnessLeaseTests
{
    private const uint Pair = 7;
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();
    private readonly WitnessLeases _witness;
    private readonly LeaseClient _a;
    private readonly LeaseClient _b;

    public WitnessLeaseTests()
    {
        _witness = new WitnessLeases(Pair, Lease, _time);
        _a = new LeaseClient(Pair, 1, Lease, _time);
        _b = new LeaseClient(Pair, 2, Lease, _time);
    }

    [Fact]
    public void FirstContact_IsChallenged_ThenTheEchoingRequestIsGranted_ForALeaseCountedFromTheRequest()
    {
        var first = Exchange(_a);
        var heldAfterChallenge = _a.Holds(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(5));
        var askedAt = _time.GetTimestamp();
        var second = Exchange(_a);

        Assert.Equal(WitnessKind.Challenge, first!.Value.Kind);
        Assert.False(heldAfterChallenge);
        Assert.Equal(WitnessKind.Granted, second!.Value.Kind);
        Assert.Equal(1, second.Value.Holder);
        Assert.True(_a.Holds(_time.GetTimestamp()));
        Assert.True(_a.HeldUntil <= askedAt + (long)(Lease.TotalSeconds * _time.TimestampFrequency), "the client must not believe in more than the witness granted");
        Assert.Equal(1, _witness.HolderAt(_time.GetTimestamp()));
    }

    [Fact]
    public void WhileOneHolds_TheOtherIsDenied_NamingTheHolder_AndGetsItOnlyAfterTheLeaseRanOut()
    {
        Challenge(_a);
        Assert.Equal(WitnessKind.Granted, Exchange(_a)!.Value.Kind);
        Challenge(_b);

        var denied = Exchange(_b)!.Value;
        _time.Advance(Lease - TimeSpan.FromMilliseconds(10));
        var stillDenied = Exchange(_b)!.Value;
        Assert.False(_a.Holds(_time.GetTimestamp() + (long)(TimeSpan.FromMilliseconds(11).TotalSeconds * _time.TimestampFrequency)));
        _time.Advance(TimeSpan.FromMilliseconds(11));
        var bHeldBefore = _b.Holds(_time.GetTimestamp());
        var granted = Exchange(_b)!.Value;

        Assert.Equal(WitnessKind.Denied, denied.Kind);
        Assert.Equal(1, denied.Holder);
        Assert.InRange(denied.RemainingMs, 90u, 100u);
        Assert.Equal(WitnessKind.Denied, stillDenied.Kind);
        Assert.False(bHeldBefore);
        Assert.Equal(WitnessKind.Granted, granted.Kind);
        Assert.True(_b.Holds(_time.GetTimestamp()));
        Assert.False(_a.Holds(_time.GetTimestamp()));
    }

    [Fact]
    public void TheHolderRenews_AndKeepsIt()
    {
        Challenge(_a);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(WitnessKind.Granted, Exchange(_a)!.Value.Kind);
            _time.Advance(Lease / 3);
        }

        Challenge(_b);
        Assert.Equal(WitnessKind.Denied, Exchange(_b)!.Value.Kind);
        Assert.True(_a.Holds(_time.GetTimestamp()));
    }

    [Fact]
    public void ARepeatedRequest_IsDroppedUnanswered_AndCounted()
    {
        Challenge(_a);
        var request = Wire(_a.NextRequest(_time.GetTimestamp()));
        Assert.NotNull(Answer(request));

        Assert.Null(Answer(request));
        Assert.Equal(1, _witness.Replayed);
    }

    [Fact]
    public void ARecordedRequest_AfterTheWitnessRestarted_WinsNothing()
    {
        Challenge(_a);
        var recorded = Wire(_a.NextRequest(_time.GetTimestamp()));
        var restarted = new WitnessLeases(Pair, Lease, _time);

        var answer = Decode(Wire(restarted.Answer(Decode(recorded), _time.GetTimestamp())!.Value));

        Assert.Equal(WitnessKind.Challenge, answer.Kind);
        Assert.Equal(0, restarted.HolderAt(_time.GetTimestamp()));
    }

    [Fact]
    public void ARequestHeldBackPastTheLease_IsChallenged_NotGranted()
    {
        Challenge(_a);
        var heldBack = Wire(_a.NextRequest(_time.GetTimestamp()));
        _time.Advance(Lease + TimeSpan.FromMilliseconds(1));

        Assert.Equal(WitnessKind.Challenge, Decode(Wire(_witness.Answer(Decode(heldBack), _time.GetTimestamp())!.Value)).Kind);
    }

    [Fact]
    public void ARecordedGrant_ReplayedToTheClient_IsIgnored()
    {
        Challenge(_a);
        var request = _a.NextRequest(_time.GetTimestamp());
        var grant = Wire(_witness.Answer(Decode(Wire(request)), _time.GetTimestamp())!.Value);
        Assert.True(_a.OnAnswer(Decode(grant), _time.GetTimestamp()));
        _time.Advance(Lease * 2);
        Assert.False(_a.Holds(_time.GetTimestamp()));

        Assert.False(_a.OnAnswer(Decode(grant), _time.GetTimestamp()));
        Assert.False(_a.Holds(_time.GetTimestamp()));
        Assert.Equal(1, _a.Ignored);
    }

    [Fact]
    public void AnAnswerForTheOtherNode_IsIgnored()
    {
        Challenge(_b);
        var forB = _witness.Answer(Decode(Wire(_b.NextRequest(_time.GetTimestamp()))), _time.GetTimestamp())!.Value;

        Assert.False(_a.OnAnswer(forB, _time.GetTimestamp()));
    }

    [Theory]
    [InlineData(0, "tag")]
    [InlineData(1, "version byte")]
    [InlineData(2, "bytes")]
    public void BadDatagrams_AreRefusedNamingWhy(int how, string named)
    {
        var bytes = Wire(_a.NextRequest(_time.GetTimestamp()));
        byte[] datagram = how switch
        {
            0 => Flip(bytes, 20),
            1 => Flip(bytes, 0),
            _ => bytes[..40],
        };

        Assert.Contains(named, WitnessMessage.TryDecode(Key, datagram, Pair, out _));
    }

    [Fact]
    public void AnotherPairsMessage_IsRefused()
    {
        var other = new LeaseClient(8, 1, Lease, _time).NextRequest(_time.GetTimestamp());

        Assert.Contains("pair 8", WitnessMessage.TryDecode(Key, Wire(other), Pair, out _));
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x10;
        return copy;
    }

    private static byte[] Wire(WitnessMessage m)
    {
        var bytes = new byte[WitnessMessage.Length];
        m.Encode(Key, bytes);
        return bytes;
    }

    private static WitnessMessage Decode(byte[] bytes)
    {
        Assert.Null(WitnessMessage.TryDecode(Key, bytes, Pair, out var m));
        return m;
    }

    private byte[]? Answer(byte[] request) => _witness.Answer(Decode(request), _time.GetTimestamp()) is { } a ? Wire(a) : null;

    /// <summary>One request of <paramref name="client"/> through the wire to the witness and its answer back.</summary>
    private WitnessMessage? Exchange(LeaseClient client)
    {
        if (Answer(Wire(client.NextRequest(_time.GetTimestamp()))) is not { } answer)
        {
            return null;
        }

        var decoded = Decode(answer);
        Assert.True(client.OnAnswer(decoded, _time.GetTimestamp()));
        return decoded;
    }

    private void Challenge(LeaseClient client) => Assert.Equal(WitnessKind.Challenge, Exchange(client)!.Value.Kind);
}
