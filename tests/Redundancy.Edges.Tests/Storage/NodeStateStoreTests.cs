using System.Security.Cryptography;
using Redundancy.Edges.Storage;

namespace Redundancy.Edges.Tests.Storage;

public sealed class NodeStateStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void BootCounter_RisesAcrossReopening()
    {
        var store = new NodeStateStore(_dir.Path);
        Assert.Equal(0U, store.BootCount);
        Assert.Equal(1U, store.NextBoot());

        var again = new NodeStateStore(_dir.Path);
        Assert.Equal(1U, again.BootCount);
        Assert.Equal(2U, again.NextBoot());
    }

    [Fact]
    public void MissingDataDirectory_IsCreated()
    {
        var nested = Path.Combine(_dir.Path, "a", "b");
        new NodeStateStore(nested).NextBoot();
        Assert.True(File.Exists(Path.Combine(nested, "boot-counter")));
    }

    [Theory]
    [InlineData("boot=x\n")]
    [InlineData("garbage\u0000\u0001")]
    [InlineData("epoch=1\n")]
    public void CorruptFile_IsReportedByNameAndLeftUntouched(string content)
    {
        var path = _dir.File("boot-counter");
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
