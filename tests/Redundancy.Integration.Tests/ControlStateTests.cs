using System.Security.Cryptography;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Control state through the control socket of real agents.</summary>
[Collection("pair")]
public sealed class ControlStateTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void WriteOnTheActive_IsCommittedAndReadBack()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");

        var written = a.Set("setpoints/boiler", "{\"celsius\":72.5}");
        Assert.True(written.Ok, written.ToString());
        var read = a.Get("setpoints/boiler");

        Assert.Equal(72.5, read.Value!.Value.GetProperty("celsius").GetDouble());
        Assert.Equal(written.Sequence, read.Sequence);
        Assert.Equal("Active", a.Status().Role);
    }

    [Fact]
    public void WriteOnTheStandby_IsRefusedNamingTheActive()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var b = pair.Control("B");

        var answer = b.Set("setpoints/boiler", "70");

        Assert.False(answer.Ok);
        Assert.Contains("node B", answer.Error!);
        Assert.Contains("node 1", answer.Error!);
    }

    [Theory]
    [InlineData("", "1", "key must be")]
    [InlineData("outputs/pump1", "\"on\"", "true or false")]
    public void InvalidWrite_IsRefusedSayingWhy(string key, string value, string expected)
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        var answer = a.Set(key, value);
        Assert.False(answer.Ok);
        Assert.Contains(expected, answer.Error!);
    }

    [Fact]
    public void OutputValueWritten_IsDrivenOnThePin()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");
        Assert.True(Eventually(() => pair.DrivesAll("A"), Wait));

        Assert.True(a.Set("outputs/pump1", "true").Ok);

        Assert.True(Eventually(() => pair.Cabinet.Events.Any(e => e.Node == "A" && e.Kind == "pin-write" && e.Subject == "17" && e.Value == 1), Wait), Dump(pair));
    }

    [Fact]
    public void CorruptDatabase_NodeIsFaulted_NeverTakesOver_FileUntouched()
    {
        using var pair = PairHarness.Create(Spec);
        var dataB = Path.Combine(pair.Directory, "data-B");
        Directory.CreateDirectory(dataB);
        var db = Path.Combine(dataB, "state.db");
        var garbage = new byte[5000];
        new Random(3).NextBytes(garbage);
        File.WriteAllBytes(db, garbage);
        var before = SHA256.HashData(File.ReadAllBytes(db));

        pair.StartAgent("A");
        pair.StartAgent("B");
        var faulted = pair.B.WaitForRole("Faulted", Wait);
        Assert.True(faulted is not null, Dump(pair));
        Assert.Contains(db, faulted.Reason);
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Dump(pair));

        var killAt = pair.Cabinet.Mark("kill -9 A");
        pair.A.Signal(Signals.Kill);
        Hold(TimeSpan.FromMilliseconds(600));

        Assert.DoesNotContain(pair.B.Received, e => e.T > killAt && e.Event.IsTakeover());
        Assert.False(pair.Cabinet.IsDriving("B", "pump1"));
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(db)));
    }
}
