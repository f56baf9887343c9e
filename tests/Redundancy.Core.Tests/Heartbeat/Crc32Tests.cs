using System.Text;
using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

public sealed class Crc32Tests
{
    [Fact]
    public void CheckString_GivesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Empty_IsZero()
    {
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void QuickBrownFox_MatchesZlib()
    {
        Assert.Equal(0x414FA339u, Crc32.Compute(Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog")));
    }
}
