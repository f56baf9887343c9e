using Xunit.Abstractions;
namespace Redundancy.Core.Tests.Roles;
public sealed class Dbg(ITestOutputHelper o)
{
    [Fact]
    public void D()
    {
        var h = RoleHarness.SoloActive();
        o.WriteLine($"{h.Machine.UntilNextDeadline()}");
        var s = RoleHarness.StandbyWithActivePeer();
        s.Run(TimeSpan.FromMilliseconds(500), [RoleHarness.Udp]);
        o.WriteLine($"{s.Machine.UntilNextDeadline()}");
        Assert.Fail("x");
    }
}
