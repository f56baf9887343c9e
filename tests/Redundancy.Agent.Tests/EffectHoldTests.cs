using Microsoft.Extensions.Time.Testing;
using Redundancy.Agent.Effects;
using Redundancy.Core.Effects;
using Redundancy.Testing;

namespace Redundancy.Agent.Tests;

/// <summary>The executor's hold of an unfenced takeover: drives only when it ends; a newer decision cancels them.</summary>
public sealed class EffectHoldTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(3);
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingOutputBank _bank;
    private readonly Observer _observer = new();

    public EffectHoldTests() => _bank = new RecordingOutputBank(2, _time);

    [Fact]
    public void Hold_HeraldsAtOnce_DrivesOnlyWhenItEnds()
    {
        var executor = new EffectExecutor(_bank, null, null, _observer, _time);

        executor.Run(Plan());
        var during = _bank.Calls.ToArray();
        _time.Advance(Hold - TimeSpan.FromMilliseconds(1));
        executor.CheckBound(_time.GetTimestamp());
        var almost = _bank.Calls.ToArray();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        executor.CheckBound(_time.GetTimestamp());

        Assert.Equal(["AssertActive", "ToggleLife"], during);
        Assert.Equal(["herald 257"], _observer.Seen.Take(1));
        Assert.Equal(during, almost);
        Assert.Equal(["AssertActive", "ToggleLife", "Drive(0,True)", "Drive(1,False)"], _bank.Calls);
        Assert.Equal(["herald 257", "announce 257"], _observer.Seen);
        Assert.False(executor.Holding);
    }

    [Fact]
    public void NewerDecisionDuringTheHold_TheHeldTakeoverNeverDrives_ItsAnnouncementStillComes()
    {
        var executor = new EffectExecutor(_bank, null, null, _observer, _time);
        executor.Run(Plan());
        Assert.True(executor.Holding);

        executor.FinishHeld(drive: false);
        executor.Run([new Effect(EffectKind.StopWrites), new Effect(EffectKind.ReleaseOutputs), new Effect(EffectKind.DropActive), new Effect(EffectKind.Announce, Epoch: 257)]);
        _time.Advance(Hold * 2);
        executor.CheckBound(_time.GetTimestamp());

        Assert.DoesNotContain(_bank.Calls, c => c.StartsWith("Drive(", StringComparison.Ordinal));
        Assert.Equal(["AssertActive", "ToggleLife", "ReleaseAll", "DropActive"], _bank.Calls);
        Assert.Equal(["herald 257", "announce 257", "released", "announce 257"], _observer.Seen);
    }

    private static Effect[] Plan() =>
    [
        new(EffectKind.AssertActive), new(EffectKind.StartLife), new(EffectKind.Herald, Epoch: 257), new(EffectKind.Hold, Hold: Hold),
        Effect.Drive(0, true), Effect.Drive(1, false), new(EffectKind.StartTerm, Epoch: 257), new(EffectKind.Announce, Epoch: 257),
    ];

    private sealed class Observer : IEffectObserver
    {
        public List<string> Seen { get; } = [];

        public void Announce(ulong epoch) => Seen.Add($"announce {epoch}");

        public void Herald(ulong epoch) => Seen.Add($"herald {epoch}");

        public void StateNotAgreed() => Seen.Add("not agreed");

        public void OutputsFailed(string error) => Seen.Add($"failed {error}");

        public void OutputsReleased() => Seen.Add("released");

        public void SlowEffectFailed(string error) => Seen.Add($"slow {error}");
    }
}
