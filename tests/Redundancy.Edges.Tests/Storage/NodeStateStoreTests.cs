using System.Security.Cryptography;
using Redundancy.Edges.Storage;

namespace Redundancy.Edges.Tests.Storage;

public sealed class NodeStateStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void EpochAndBoot_SurviveReopening()
    {
        var store = new NodeStateStore(_dir.Path);
        Assert.Equal(0UL, store.Epoch);
        Assert.Equal(1U, store.NextBoot());
        store.SaveEpoch(42);

        var again = new NodeStateStore(_dir.Path);
        Assert.Equal(42UL, again.Epoch);
        Assert.Equal(2U, again.NextBoot());
    }

    [Fact]
    public void MissingDataDirectory_IsCreated()
    {
        var nested = Path.Combine(_dir.Path, "a", "b");
        var store = new NodeStateStore(nested);
        store.SaveEpoch(3);
        Assert.True(File.Exists(Path.Combine(nested, "node-state")));
    }

    [Theory]
    [InlineData("epoch=12\n")]
    [InlineData("epoch=x\nboot=1\n")]
    [InlineData("garbage\u0000\u0001")]
    [InlineData("epoch=1\nboot=2\nextra=3\n")]
    public void CorruptFile_IsReportedByNameAndLeftUntouched(string content)
    {
        var path = _dir.File("node-state");
        File.WriteAllText(path, content);
        var before = SHA256.HashData(File.ReadAllBytes(path));

        var ex = Assert.Throws<StorageException>(() => new NodeStateStore(_dir.Path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("corrupt", ex.Message);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(path)));
    }

    [Fact]
    public void UnwritableDirectory_GivesAStorageErrorNamingIt()
    {
        var file = _dir.File("not-a-directory");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<StorageException>(() => new NodeStateStore(Path.Combine(file, "sub")));
        Assert.Contains("not-a-directory", ex.Message);
    }

    public void Dispose() => _dir.Dispose();
}
