using Redundancy.Edges.Security;

namespace Redundancy.Edges.Tests.Security;

public sealed class PairKeyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void HexKey_IsLoaded()
    {
        var path = Write("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        var key = PairKey.Load(path);
        Assert.Equal(32, key.Length);
        Assert.Equal(0x11, key[1]);
    }

    [Fact]
    public void Base64Key_IsLoaded()
    {
        var bytes = Enumerable.Range(1, 24).Select(i => (byte)i).ToArray();
        var key = PairKey.Load(Write(Convert.ToBase64String(bytes)));
        Assert.Equal(bytes, key);
    }

    [Fact]
    public void WorldReadableKey_IsRefusedWithTheFix()
    {
        var path = Write("00112233445566778899aabbccddeeff", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("chmod 600", ex.Message);
    }

    [Fact]
    public void ShortKey_IsRefused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(Write("0011223344")));
        Assert.Contains("at least 16", ex.Message);
    }

    [Fact]
    public void NotAKey_IsRefused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(Write("this is not a key!")));
        Assert.Contains("hex or base64", ex.Message);
    }

    [Fact]
    public void MissingFile_IsNamed()
    {
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(_dir.File("nope.key")));
        Assert.Contains("nope.key", ex.Message);
    }

    [Fact]
    public void GroupWritableKey_IsRefused()
    {
        var path = Write("00112233445566778899aabbccddeeff", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(path));
        Assert.Contains("writable by its group", ex.Message);
    }

    [Fact]
    public void GroupReadableKey_IsLoaded_ForAServiceGroup()
    {
        var path = Write("00112233445566778899aabbccddeeff", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Equal(16, PairKey.Load(path).Length);
    }

    [Fact]
    public void KeyOwnedByAnotherUser_IsRefused()
    {
        var path = Write("00112233445566778899aabbccddeeff");
        var chown = Redundancy.Simulation.Harness.ExternalProcess.Run("chown", "65534", path); // nobody
        Assert.True(chown.ExitCode == 0, chown.Output);
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(path));
        Assert.Contains("owned by uid 65534", ex.Message);
    }

    [Fact]
    public void SymlinkToAKey_IsRefused()
    {
        var target = Write("00112233445566778899aabbccddeeff");
        var link = _dir.File("link.key");
        File.CreateSymbolicLink(link, target);
        var ex = Assert.Throws<InvalidDataException>(() => PairKey.Load(link));
        Assert.Contains("symbolic link", ex.Message);
    }

    public void Dispose() => _dir.Dispose();

    private string Write(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N")[..8] + ".key");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
