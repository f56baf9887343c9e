using System.Diagnostics;
using System.Net.Sockets;
using Redundancy.Edges.Net;
using Redundancy.Edges.Security;

namespace Redundancy.Edges.Tests.Net;

/// <summary>SO_PEERCRED against the real kernel: a caller in this process, and one in another process as another user.</summary>
public sealed class PeerCredentialsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"peercred-{Guid.NewGuid():N}.sock");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public PeerCredentialsTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        File.SetUnixFileMode(_path, (UnixFileMode)0b110_110_110); // the other user must be able to connect
        _listener.Listen(4);
    }

    [Fact]
    public async Task CallerInThisProcess_IsThisProcess()
    {
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(_path));
        using var accepted = await _listener.AcceptAsync();

        var peer = PeerCredentials.Of(accepted);

        Assert.Equal(Environment.ProcessId, peer.Pid);
        Assert.Equal(UnixAccounts.EffectiveUid, peer.Uid);
    }

    [Fact]
    public async Task CallerRunAsNobody_IsSeenAsNobody()
    {
        Assert.True(UnixAccounts.EffectiveUid == 0, "this test runs a process as another user: it needs root");
        using var caller = Process.Start(new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "socat", "-T", "10", "-", $"UNIX-CONNECT:{_path}"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            using var accepted = await _listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));

            var peer = PeerCredentials.Of(accepted);

            Assert.Equal(new PeerCredentials(caller.Id, 65534, 65534), peer);
        }
        finally
        {
            caller.Kill();
            await caller.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void SocketThatNeverConnected_IsAnIOException()
    {
        using var alone = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        Assert.Throws<IOException>(() => PeerCredentials.Of(alone));
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
    }
}
