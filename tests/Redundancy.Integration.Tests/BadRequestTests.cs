using Redundancy.Edges.Storage;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>Requests and stored data that the agent must answer with a clear error, never by crashing or hanging up.</summary>
[Collection("pair")]
public sealed class BadRequestTests
{
    private static readonly PairSpec Spec = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 500 };

    [Fact]
    public void KeyOverTheLimitInUtf8Bytes_IsRefusedAndTheActiveStaysUp()
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");

        // 200 characters, 400 UTF-8 bytes: under the old character limit, over the log's byte limit.
        var answer = a.Set(new string('é', 200), "1");

        Assert.False(answer.Ok, answer.ToString());
        Assert.Contains("256 UTF-8 bytes", answer.Error!);
        Assert.True(a.Set("after", "2").Ok, Dump(pair));
        Assert.False(pair.A.HasExited, Dump(pair));
        Assert.Equal("Active", pair.A.Role);
    }

    [Theory]
    [InlineData("set", """{"op":"set","key":"a\ud800b","value":1}""")]
    [InlineData("get", """{"op":"get","key":"a\udc00"}""")]
    public void KeyWithAnUnpairedSurrogate_IsAnsweredWithAnError(string op, string line)
    {
        using var pair = PairHarness.StartPair(Spec);
        using var a = pair.Control("A");

        var answer = a.SendLine(line);

        Assert.False(answer.Ok, op);
        Assert.Contains("unpaired surrogate", answer.Error!);
        Assert.True(a.Set("after", "2").Ok, Dump(pair));
    }

    [Fact]
    public void StoredValueThatIsNotJson_IsAnsweredWithAnErrorNamingTheKey()
    {
        using var pair = PairHarness.Create(Spec);
        var dataA = Path.Combine(pair.Directory, "data-A");
        using (var store = ControlStateStore.Open(Path.Combine(dataA, "state.db")))
        {
            store.Append(1, [("good", "1"), ("broken", "not json")], 0);
        }

        pair.StartAgent("A");
        pair.StartAgent("B");
        pair.WaitForActiveAndStandby(TimeSpan.FromSeconds(20));
        using var a = pair.Control("A");

        var get = a.Get("broken");
        var list = a.List();

        Assert.False(get.Ok);
        Assert.Contains("broken", get.Error!);
        Assert.Contains("not JSON", get.Error!);
        Assert.False(list.Ok);
        Assert.Contains("broken", list.Error!);
        Assert.True(a.Get("good").Ok);
    }
}
