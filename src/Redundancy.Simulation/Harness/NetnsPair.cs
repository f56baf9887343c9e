using System.Runtime.InteropServices;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// Two hosts on one machine: two network namespaces joined by a veth pair. <see cref="Pull"/> sets A's end down
/// (a cable pull); <see cref="Plug"/> sets it up again; <see cref="AddStranger"/> adds a third host. Addresses come from 198.18.0.0/15 (the benchmarking
/// range) and exist only inside these namespaces. Needs root.
/// </summary>
public sealed partial class NetnsPair : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private static int _counter;

    /// <summary>Creates the namespaces and the link between them.</summary>
    public NetnsPair()
    {
        var n = Interlocked.Increment(ref _counter);
        var tag = $"{Environment.ProcessId % 100000}x{n}";
        NamespaceA = $"rdy{tag}a";
        NamespaceB = $"rdy{tag}b";
        InterfaceA = $"rv{tag}a";
        InterfaceB = $"rv{tag}b";
        var subnet = (Environment.ProcessId + n) % 250;
        AddressA = $"198.18.{subnet}.1";
        AddressB = $"198.18.{subnet}.2";
        try
        {
            Ip("netns", "add", NamespaceA);
            Ip("netns", "add", NamespaceB);
            Ip("link", "add", InterfaceA, "netns", NamespaceA, "type", "veth", "peer", "name", InterfaceB, "netns", NamespaceB);
            Ip("-n", NamespaceA, "addr", "add", $"{AddressA}/30", "dev", InterfaceA);
            Ip("-n", NamespaceB, "addr", "add", $"{AddressB}/30", "dev", InterfaceB);
            Ip("-n", NamespaceA, "link", "set", "lo", "up");
            Ip("-n", NamespaceB, "link", "set", "lo", "up");
            Ip("-n", NamespaceA, "link", "set", InterfaceA, "up");
            Ip("-n", NamespaceB, "link", "set", InterfaceB, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Namespace of host A.</summary>
    public string NamespaceA { get; }

    /// <summary>Namespace of host B.</summary>
    public string NamespaceB { get; }

    /// <summary>A's end of the veth pair.</summary>
    public string InterfaceA { get; }

    /// <summary>B's end of the veth pair.</summary>
    public string InterfaceB { get; }

    /// <summary>A's address.</summary>
    public string AddressA { get; }

    /// <summary>B's address.</summary>
    public string AddressB { get; }

    /// <summary>The third host's namespace once <see cref="AddStranger"/> made it, else null.</summary>
    public string? NamespaceC { get; private set; }

    /// <summary>
    /// A third host on B's side (another namespace, joined to B by its own veth pair, routed through B): a stranger on
    /// the LAN that can reach B's heartbeat address but is not the peer. Returns its namespace.
    /// </summary>
    public string AddStranger()
    {
        if (NamespaceC is { } existing)
        {
            return existing;
        }

        var c = NamespaceA[..^1] + "c";
        var toC = InterfaceB[..^1] + "x";
        var fromC = InterfaceB[..^1] + "c";
        var subnet = AddressB.Split('.')[2];
        Ip("netns", "add", c);
        NamespaceC = c;
        Ip("link", "add", toC, "netns", NamespaceB, "type", "veth", "peer", "name", fromC, "netns", c);
        Ip("-n", NamespaceB, "addr", "add", $"198.19.{subnet}.1/30", "dev", toC);
        Ip("-n", c, "addr", "add", $"198.19.{subnet}.2/30", "dev", fromC);
        Ip("-n", NamespaceB, "link", "set", toC, "up");
        Ip("-n", c, "link", "set", "lo", "up");
        Ip("-n", c, "link", "set", fromC, "up");
        Ip("-n", c, "route", "add", "default", "via", $"198.19.{subnet}.1");
        return c;
    }

    /// <summary>The LAN's namespace (a bridge and the client) once <see cref="AddLan"/> made it, else null.</summary>
    public string? NamespaceLan { get; private set; }

    /// <summary>The client's address on the LAN.</summary>
    public string ClientAddress => $"198.18.{Subnet}.130";

    /// <summary>The pair's system IP on the LAN, with its prefix.</summary>
    public string SystemIpCidr => $"198.18.{Subnet}.200/25";

    /// <summary>The pair's system IP on the LAN.</summary>
    public string SystemIp => SystemIpCidr[..^3];

    /// <summary>The bridge in the LAN namespace (the client's interface).</summary>
    public string LanBridge => "br0";

    /// <summary>The LAN interface of node <paramref name="node"/> ("A" or "B"), inside its namespace.</summary>
    public string LanInterface(string node) => $"rl{Tag}{node.ToLowerInvariant()}";

    /// <summary>The namespace of node <paramref name="node"/>.</summary>
    public string NamespaceOf(string node) => node == "A" ? NamespaceA : NamespaceB;

    private string Tag => InterfaceA[2..^1];

    private string Subnet => AddressA.Split('.')[2];

    /// <summary>
    /// A LAN beside the heartbeat link, as a plant has one: a third namespace holding a bridge, with one veth port to
    /// each node and the client's own address on the bridge. The heartbeat link's cable pulls leave it alone.
    /// Addresses in 198.18.x.128/25. Returns the LAN's namespace.
    /// </summary>
    public string AddLan()
    {
        if (NamespaceLan is { } existing)
        {
            return existing;
        }

        var lan = NamespaceA[..^1] + "l";
        Ip("netns", "add", lan);
        NamespaceLan = lan;
        Ip("-n", lan, "link", "set", "lo", "up");
        Ip("-n", lan, "link", "add", LanBridge, "type", "bridge");
        foreach (var node in new[] { "A", "B" })
        {
            var port = $"rb{Tag}{node.ToLowerInvariant()}";
            Ip("link", "add", LanInterface(node), "netns", NamespaceOf(node), "type", "veth", "peer", "name", port, "netns", lan);
            Ip("-n", lan, "link", "set", port, "master", LanBridge);
            Ip("-n", lan, "link", "set", port, "up");
            Ip("-n", NamespaceOf(node), "link", "set", LanInterface(node), "up");
        }

        Ip("-n", lan, "addr", "add", $"{ClientAddress}/25", "dev", LanBridge);
        Ip("-n", lan, "link", "set", LanBridge, "up");
        return lan;
    }

    /// <summary>The witness host's namespace once <see cref="AddWitnessHost"/> made it, else null.</summary>
    public string? NamespaceWitness { get; private set; }

    /// <summary>The witness host's address on the LAN.</summary>
    public string WitnessAddress => $"198.18.{Subnet}.140";

    /// <summary>Node <paramref name="node"/>'s own address on the LAN (with <see cref="AddWitnessHost"/>).</summary>
    public string LanAddress(string node) => $"198.18.{Subnet}.{(node == "A" ? 131 : 132)}";

    /// <summary>
    /// A witness host on the LAN (node A, node B, the client and the witness joined by the bridge of
    /// <see cref="AddLan"/>, made here if need be): a namespace of its own with one veth port on the bridge, and each node
    /// given an address of its own on its LAN interface so that it reaches the witness while the heartbeat link is cut.
    /// Returns the witness host's namespace.
    /// </summary>
    public string AddWitnessHost()
    {
        if (NamespaceWitness is { } existing)
        {
            return existing;
        }

        var lan = AddLan();
        var w = NamespaceA[..^1] + "w";
        var inside = $"rw{Tag}w";
        var port = $"rb{Tag}w";
        Ip("netns", "add", w);
        NamespaceWitness = w;
        Ip("-n", w, "link", "set", "lo", "up");
        Ip("link", "add", inside, "netns", w, "type", "veth", "peer", "name", port, "netns", lan);
        Ip("-n", lan, "link", "set", port, "master", LanBridge);
        Ip("-n", lan, "link", "set", port, "up");
        Ip("-n", w, "addr", "add", $"{WitnessAddress}/25", "dev", inside);
        Ip("-n", w, "link", "set", inside, "up");
        foreach (var node in new[] { "A", "B" })
        {
            Ip("-n", NamespaceOf(node), "addr", "add", $"{LanAddress(node)}/25", "dev", LanInterface(node));
        }

        return w;
    }

    /// <summary>Node <paramref name="node"/>'s LAN link down (with the agent killed: the box lost power) or up.</summary>
    public void SetLan(string node, bool up) => Ip("-n", NamespaceOf(node), "link", "set", LanInterface(node), up ? "up" : "down");

    /// <summary>The hardware address of node <paramref name="node"/>'s LAN interface.</summary>
    public string LanMac(string node)
    {
        var (_, output) = ExternalProcess.Run("ip", "-n", NamespaceOf(node), "-o", "link", "show", LanInterface(node));
        var at = output.IndexOf("link/ether ", StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException($"no MAC for {LanInterface(node)}: {output}") : output.Substring(at + 11, 17);
    }

    /// <summary>Whether node <paramref name="node"/> holds the system IP on its LAN interface now.</summary>
    public bool HoldsSystemIp(string node) =>
        ExternalProcess.Run("ip", "-n", NamespaceOf(node), "-4", "-o", "addr", "show", "dev", LanInterface(node)).Output.Contains($" {SystemIpCidr} ", StringComparison.Ordinal);

    /// <summary>The client's neighbour entry for the system IP (<c>ip neigh</c>): its MAC, or null.</summary>
    public string? ClientNeighbourMac()
    {
        var (_, output) = ExternalProcess.Run("ip", "-n", NamespaceLan!, "neigh", "show", SystemIp);
        var at = output.IndexOf("lladdr ", StringComparison.Ordinal);
        return at < 0 ? null : output.Substring(at + 7, 17);
    }

    /// <summary>Whether this machine can make namespaces (root and iproute2).</summary>
    public static bool Available()
    {
        try
        {
            return Environment.UserName == "root" && ExternalProcess.Run("ip", "netns", "list").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Cable pull: A's interface down.</summary>
    public void Pull() => Ip("-n", NamespaceA, "link", "set", InterfaceA, "down");

    /// <summary>Cable back: A's interface up.</summary>
    public void Plug() => Ip("-n", NamespaceA, "link", "set", InterfaceA, "up");

    /// <summary>
    /// Drops, in the kernel, every heartbeat datagram A sends that says it is handing over (a switchover's frames): an
    /// nftables rule on A's output hook matching UDP whose payload is a version-3 heartbeat (byte 0) with the
    /// <c>HandingOver</c> bit, bit 0 of byte 10 (bit offsets from the UDP header: 8 bytes, then the payload). Nothing
    /// else is touched. The namespace goes, and the rule with it, on <see cref="Dispose"/>.
    /// </summary>
    public void DropHandoverFrames()
    {
        Nft(NamespaceA, "add", "table", "inet", "redundancy_test");
        Nft(NamespaceA, "add", "chain", "inet", "redundancy_test", "out", "{ type filter hook output priority 0; }");
        Nft(NamespaceA, "add", "rule", "inet", "redundancy_test", "out", "meta", "l4proto", "udp",
            "@th,64,8", "==", "3", "@th,144,8", "&", "0x01", "==", "0x01", "drop");
    }

    /// <summary>Whether <c>nft</c> (nftables) is here.</summary>
    public static bool NftAvailable()
    {
        try
        {
            return ExternalProcess.Run("nft", "--version").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The command prefix that runs a program inside a namespace.</summary>
    public static string[] Exec(string ns) => ["netns", "exec", ns];

    /// <summary>
    /// Runs <paramref name="create"/> on a fresh thread that has entered namespace <paramref name="ns"/>; sockets it
    /// creates belong to that namespace for their whole life, whichever thread uses them later.
    /// </summary>
    public static T RunIn<T>(string ns, Func<T> create)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}", FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = create();
            }
            catch (Exception ex)
            {
                error = ex;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result! : throw new InvalidOperationException($"in namespace {ns}: {error.Message}", error);
    }

    /// <summary>Deletes both namespaces (and with them the veth pair).</summary>
    public void Dispose()
    {
        ExternalProcess.Run("ip", "netns", "del", NamespaceA);
        ExternalProcess.Run("ip", "netns", "del", NamespaceB);
        if (NamespaceC is { } c)
        {
            ExternalProcess.Run("ip", "netns", "del", c);
        }

        if (NamespaceLan is { } lan)
        {
            ExternalProcess.Run("ip", "netns", "del", lan);
        }

        if (NamespaceWitness is { } w)
        {
            ExternalProcess.Run("ip", "netns", "del", w);
        }
    }

    private static void Nft(string ns, params string[] args)
    {
        var (code, output) = ExternalProcess.Run("ip", ["netns", "exec", ns, "nft", .. args]);
        if (code != 0)
        {
            throw new InvalidOperationException($"nft {string.Join(' ', args)} in {ns} failed: {output.Trim()}");
        }
    }

    private static void Ip(params string[] args)
    {
        var (code, output) = ExternalProcess.Run("ip", args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {output.Trim()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
