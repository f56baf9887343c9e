using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Redundancy.Core.Commands;

namespace Redundancy.Core.Tests.Commands;

/// <summary>Remote commands: authentic, well formed, fresh and new, or refused and counted by reason.</summary>
public sealed class RemoteCommandGuardTests
{
    private const string Topic = "redundancy/7/A/command";
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RemoteCommandGuard _guard;
    private int _nonce;

    public RemoteCommandGuardTests()
    {
        _guard = new RemoteCommandGuard(Key, Skew, _time);
        _time.Advance(TimeSpan.FromSeconds(1)); // commands sent after the run started
    }

    [Fact]
    public void SignedSwitchover_IsAccepted_WithWhatItAsks()
    {
        var verdict = _guard.Check(Topic, Sealed(Body("switchover", extra: "\"force\":true,\"timeoutMs\":8000,\"id\":\"job-42\"")));

        Assert.True(verdict.Accepted, verdict.Text);
        var c = verdict.Command!;
        Assert.Equal(RemoteOp.Switchover, c.Op);
        Assert.True(c.Force);
        Assert.Equal(8000, c.TimeoutMs);
        Assert.Equal("scada-1", c.Requester);
        Assert.Equal("job-42", c.Id);
        Assert.Equal(1, _guard.Accepted);
        Assert.Equal(0, _guard.RefusedTotal);
    }

    [Fact]
    public void SignedMaintenance_IsAccepted()
    {
        var verdict = _guard.Check(Topic, Sealed(Body("maintenance", extra: "\"on\":true")));

        Assert.True(verdict.Accepted, verdict.Text);
        Assert.Equal(RemoteOp.Maintenance, verdict.Command!.Op);
        Assert.True(verdict.Command.On);
    }

    [Fact]
    public void WrongKey_IsRefusedAsBadMac_NotAuthentic_AndCounted()
    {
        var other = Key.ToArray();
        other[0] ^= 1;
        var verdict = _guard.Check(Topic, RemoteCommandCodec.Seal(other, RemoteCommandCodec.CommandDomain, Topic, Body("switchover")));

        Assert.Equal(RemoteRefusal.BadMac, verdict.Refusal);
        Assert.False(verdict.Authentic);
        Assert.Contains("MAC", verdict.Text);
        Assert.Equal(1, _guard.Refused(RemoteRefusal.BadMac));
        Assert.Equal(0, _guard.Accepted);
    }

    [Fact]
    public void SignedForTheOtherNodesTopic_IsRefusedAsBadMac()
    {
        var forB = RemoteCommandCodec.Seal(Key, RemoteCommandCodec.CommandDomain, "redundancy/7/B/command", Body("switchover"));

        Assert.Equal(RemoteRefusal.BadMac, _guard.Check(Topic, forB).Refusal);
    }

    [Fact]
    public void SignedAsAReply_IsRefusedAsBadMac()
    {
        var reply = RemoteCommandCodec.Seal(Key, RemoteCommandCodec.ReplyDomain, Topic, Body("switchover"));

        Assert.Equal(RemoteRefusal.BadMac, _guard.Check(Topic, reply).Refusal);
    }

    [Fact]
    public void AlteredBody_IsRefusedAsBadMac()
    {
        var text = Encoding.UTF8.GetString(Sealed(Body("maintenance", extra: "\"on\":false")));
        var altered = text.Replace(":false", ":true", StringComparison.Ordinal);
        Assert.NotEqual(text, altered);

        Assert.Equal(RemoteRefusal.BadMac, _guard.Check(Topic, Encoding.UTF8.GetBytes(altered)).Refusal);
    }

    [Fact]
    public void Replay_IsRefused_ForAsLongAsItWouldBeFresh_AndCounted()
    {
        var message = Sealed(Body("switchover"));
        Assert.True(_guard.Check(Topic, message).Accepted);

        var again = _guard.Check(Topic, message);
        _time.Advance(Skew - TimeSpan.FromSeconds(1));
        var late = _guard.Check(Topic, message);
        _time.Advance(TimeSpan.FromSeconds(2));
        var afterWindow = _guard.Check(Topic, message);

        Assert.Equal(RemoteRefusal.Replayed, again.Refusal);
        Assert.True(again.Authentic);
        Assert.Contains("replay", again.Text);
        Assert.Equal(RemoteRefusal.Replayed, late.Refusal);
        Assert.Equal(RemoteRefusal.Stale, afterWindow.Refusal);
        Assert.Equal(2, _guard.Refused(RemoteRefusal.Replayed));
        Assert.Equal(1, _guard.Accepted);
    }

    [Fact]
    public void SameNonceInANewMessage_IsAReplay()
    {
        Assert.True(_guard.Check(Topic, Sealed(Body("maintenance", extra: "\"on\":true", nonce: "fixed-nonce-0123456789"))).Accepted);

        var verdict = _guard.Check(Topic, Sealed(Body("maintenance", extra: "\"on\":false", nonce: "fixed-nonce-0123456789")));

        Assert.Equal(RemoteRefusal.Replayed, verdict.Refusal);
    }

    [Theory]
    [InlineData(-31)]
    [InlineData(31)]
    public void TimestampOutsideTheSkew_IsRefusedAsStale_SayingWhichWay(int seconds)
    {
        var verdict = _guard.Check(Topic, Sealed(Body("switchover", ts: _time.GetUtcNow().AddSeconds(seconds))));

        Assert.Equal(RemoteRefusal.Stale, verdict.Refusal);
        Assert.Contains(seconds < 0 ? "behind" : "ahead of", verdict.Text);
        Assert.Contains("NTP", verdict.Text);
    }

    [Fact]
    public void SentBeforeTheRunStarted_IsRefused_ThePreviousRunMayHaveCarriedItOut()
    {
        var verdict = _guard.Check(Topic, Sealed(Body("switchover", ts: _time.GetUtcNow().AddSeconds(-2))));

        Assert.Equal(RemoteRefusal.BeforeStart, verdict.Refusal);
        Assert.Contains("before this agent started", verdict.Text);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"body\":\"{}\"}", "no 'mac'")]
    [InlineData("{\"body\":\"{}\",\"mac\":\"xyz\"}", "64 hex digits")]
    [InlineData("{\"body\":\"{}\",\"mac\":\"00\",\"extra\":1}", "'extra'")]
    [InlineData("{\"body\":{},\"mac\":\"00\"}", "'body'")]
    public void NotAnEnvelope_IsRefusedAsMalformed_NamingTheProblem(string payload, string named)
    {
        var verdict = _guard.Check(Topic, Encoding.UTF8.GetBytes(payload));

        Assert.Equal(RemoteRefusal.Malformed, verdict.Refusal);
        Assert.False(verdict.Authentic);
        Assert.Contains(named, verdict.Text);
    }

    [Fact]
    public void TooLarge_IsRefusedUnread()
    {
        var verdict = _guard.Check(Topic, new byte[RemoteCommandCodec.MaxPayload + 1]);

        Assert.Equal(RemoteRefusal.TooLarge, verdict.Refusal);
        Assert.Equal(1, _guard.Refused(RemoteRefusal.TooLarge));
    }

    [Theory]
    [InlineData("\"v\":1,\"op\":\"set\"", "'op' must be")]
    [InlineData("\"v\":2,\"op\":\"switchover\"", "'v' must be 1")]
    [InlineData("\"v\":1,\"op\":\"maintenance\"", "needs 'on'")]
    [InlineData("\"v\":1,\"op\":\"maintenance\",\"on\":\"yes\"", "'on' must be true or false")]
    [InlineData("\"v\":1,\"op\":\"maintenance\",\"on\":true,\"force\":true", "takes only 'on'")]
    [InlineData("\"v\":1,\"op\":\"switchover\",\"on\":true", "not 'on'")]
    [InlineData("\"v\":1,\"op\":\"switchover\",\"timeoutMs\":0", "'timeoutMs' must be 1-60000")]
    [InlineData("\"v\":1,\"op\":\"switchover\",\"key\":\"outputs/pump1\"", "'key' is not a field")]
    [InlineData("\"v\":1,\"op\":\"switchover\",\"op\":\"maintenance\"", "given twice")]
    [InlineData("\"v\":1,\"op\":\"switchover\",\"force\":{\"a\":1}", "'force'")]
    public void AuthenticButNotARequest_IsRefusedAsBadRequest_AndStillAddressable(string fields, string named)
    {
        var body = $"{{{fields},\"ts\":{Now()},\"nonce\":\"{NextNonce()}\",\"requester\":\"scada-1\",\"id\":\"r1\"}}";
        var verdict = _guard.Check(Topic, Sealed(body));

        Assert.Equal(RemoteRefusal.BadRequest, verdict.Refusal);
        Assert.True(verdict.Authentic);
        Assert.Contains(named, verdict.Text);
        Assert.Equal(1, _guard.Refused(RemoteRefusal.BadRequest));
    }

    [Theory]
    [InlineData("short", "'nonce' must be 16-64")]
    [InlineData("has spaces in it, sixteen+", "'nonce' must be 16-64")]
    public void BadNonce_IsRefused(string nonce, string named)
    {
        var verdict = _guard.Check(Topic, Sealed(Body("switchover", nonce: nonce)));

        Assert.Equal(RemoteRefusal.BadRequest, verdict.Refusal);
        Assert.Contains(named, verdict.Text);
    }

    [Fact]
    public void MissingRequester_IsRefused()
    {
        var body = $"{{\"v\":1,\"op\":\"switchover\",\"ts\":{Now()},\"nonce\":\"{NextNonce()}\"}}";

        var verdict = _guard.Check(Topic, Sealed(body));

        Assert.Equal(RemoteRefusal.BadRequest, verdict.Refusal);
        Assert.Contains("'requester'", verdict.Text);
    }

    [Fact]
    public void MoreCommandsThanItRemembers_WithinTheWindow_AreRefusedAsBusy_UntilTheOldestLeaveIt()
    {
        for (var i = 0; i < RemoteCommandGuard.Capacity; i++)
        {
            Assert.True(_guard.Check(Topic, Sealed(Body("maintenance", extra: "\"on\":true"))).Accepted);
        }

        var full = _guard.Check(Topic, Sealed(Body("maintenance", extra: "\"on\":true")));
        _time.Advance(Skew + TimeSpan.FromSeconds(1));
        var later = _guard.Check(Topic, Sealed(Body("maintenance", extra: "\"on\":true")));

        Assert.Equal(RemoteRefusal.Busy, full.Refusal);
        Assert.True(later.Accepted, later.Text);
    }

    private static byte[] Sealed(string body) => RemoteCommandCodec.Seal(Key, RemoteCommandCodec.CommandDomain, Topic, body);

    private string Body(string op, string? extra = null, DateTimeOffset? ts = null, string? nonce = null) =>
        $"{{\"v\":1,\"op\":\"{op}\",\"ts\":{(ts ?? _time.GetUtcNow()).ToUnixTimeMilliseconds()},\"nonce\":\"{nonce ?? NextNonce()}\",\"requester\":\"scada-1\"{(extra is null ? string.Empty : "," + extra)}}}";

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private string NextNonce() => $"nonce-{(++_nonce).ToString("D12", CultureInfo.InvariantCulture)}";
}
