using Redundancy.Core.Roles;

namespace Redundancy.Core.Tests.Roles;

/// <summary>
/// The takeover epoch: the next multiple of 256 above the basis, with the node id in the low 8 bits, so epochs
/// only grow and two nodes never write under the same epoch. Expected values are worked out by hand.
/// </summary>
public sealed class RoleOptionsTests
{
    /// <summary>Bases around the 256 boundaries, and near the top of the range.</summary>
    public static readonly TheoryData<ulong> EdgeBases =
    [
        0UL, 1UL, 5UL, 254UL, 255UL, 256UL, 257UL, 511UL, 512UL, 0x1234_56FFUL, 0xFFFF_FFFF_FFFF_FDFFUL, 0xFFFF_FFFF_FFFF_FEFFUL,
    ];

    [Theory]
    [InlineData(0UL, (byte)1, 257UL)]        // a fresh node: first generation
    [InlineData(5UL, (byte)1, 257UL)]
    [InlineData(40UL, (byte)1, 257UL)]
    [InlineData(254UL, (byte)2, 258UL)]
    [InlineData(255UL, (byte)1, 257UL)]      // low bits 255: the next generation, not a carry into the node id
    [InlineData(256UL, (byte)1, 513UL)]      // an exact multiple of 256 is still passed
    [InlineData(257UL, (byte)2, 514UL)]      // node 2 takes over from node 1's first epoch
    [InlineData(258UL, (byte)1, 513UL)]      // node 1 takes over back from node 2
    [InlineData(300UL, (byte)1, 513UL)]
    [InlineData(511UL, (byte)2, 514UL)]
    [InlineData(0UL, (byte)255, 511UL)]
    [InlineData(0x1234_56FFUL, (byte)0x2A, 0x1234_572AUL)]
    [InlineData(0xFFFF_FFFF_FFFF_FE05UL, (byte)3, 0xFFFF_FFFF_FFFF_FF03UL)]
    public void NextEpoch_IsNextMultipleOf256AboveBasisWithNodeIdInLowByte(ulong basis, byte nodeId, ulong expected)
    {
        Assert.Equal(expected, RoleOptions.NextEpoch(basis, nodeId));
    }

    [Theory]
    [MemberData(nameof(EdgeBases))]
    public void NextEpoch_LowEightBitsAreTheNodeId(ulong basis)
    {
        for (var id = 1; id <= 255; id++)
        {
            var epoch = RoleOptions.NextEpoch(basis, (byte)id);

            Assert.Equal((ulong)id, epoch & 0xFF);
        }
    }

    [Theory]
    [MemberData(nameof(EdgeBases))]
    public void NextEpoch_IsAlwaysGreaterThanTheBasis(ulong basis)
    {
        for (var id = 1; id <= 255; id++)
        {
            var epoch = RoleOptions.NextEpoch(basis, (byte)id);

            Assert.True(epoch > basis, $"basis {basis}, node {id}: epoch {epoch} is not greater");
        }
    }

    [Fact]
    public void NextEpoch_EveryBasisUpTo4096_GreaterThanBasisWithNodeIdInLowByteAndLessThan512Above()
    {
        for (var basis = 0UL; basis <= 4096; basis++)
        {
            for (var id = 1; id <= 255; id++)
            {
                var epoch = RoleOptions.NextEpoch(basis, (byte)id);

                Assert.True(epoch > basis, $"basis {basis}, node {id}: epoch {epoch} is not greater");
                Assert.Equal((ulong)id, epoch & 0xFF);
                Assert.True(epoch - basis < 512, $"basis {basis}, node {id}: epoch {epoch} is 512 or more above it");
            }
        }
    }

    [Theory]
    [InlineData(0UL, 257UL, 258UL)]
    [InlineData(5UL, 257UL, 258UL)]
    [InlineData(255UL, 257UL, 258UL)]
    [InlineData(257UL, 513UL, 514UL)]      // split brain: both take over from node 1's epoch
    [InlineData(258UL, 513UL, 514UL)]
    [InlineData(514UL, 769UL, 770UL)]
    public void NextEpoch_TwoNodesFromTheSameBasis_GetDifferentEpochsBothAboveTheBasis(ulong basis, ulong expected1, ulong expected2)
    {
        var node1 = RoleOptions.NextEpoch(basis, 1);
        var node2 = RoleOptions.NextEpoch(basis, 2);

        Assert.Equal(expected1, node1);
        Assert.Equal(expected2, node2);
        Assert.NotEqual(node1, node2);
        Assert.True(node1 > basis);
        Assert.True(node2 > basis);
    }

    [Theory]
    [MemberData(nameof(EdgeBases))]
    public void NextEpoch_AnyTwoNodeIdsFromTheSameBasis_NeverCollide(ulong basis)
    {
        var seen = new HashSet<ulong>();
        for (var id = 1; id <= 255; id++)
        {
            var epoch = RoleOptions.NextEpoch(basis, (byte)id);

            Assert.True(epoch > basis);
            Assert.True(seen.Add(epoch), $"basis {basis}: node {id} got epoch {epoch}, already taken by another node");
        }
    }
}
