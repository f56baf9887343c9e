using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace Redundancy.Edges.Address;

/// <summary>An interface's index and hardware address, looked up by name in the agent's network namespace.</summary>
/// <param name="Name">The interface's name.</param>
/// <param name="Index">Its index (what netlink and AF_PACKET address it by).</param>
/// <param name="Mac">Its 6-byte hardware address.</param>
public sealed partial record NetInterface(string Name, int Index, byte[] Mac)
{
    /// <summary>Looks <paramref name="name"/> up; throws <see cref="IOException"/> naming it when it is not there or has no
    /// Ethernet address.</summary>
    public static NetInterface Find(string name)
    {
        var index = (int)IfNameToIndex(name);
        if (index == 0)
        {
            throw new IOException($"interface {name} not found (errno {Marshal.GetLastPInvokeError()})");
        }

        var mac = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name)?.GetPhysicalAddress().GetAddressBytes();
        if (mac is not { Length: 6 })
        {
            throw new IOException($"interface {name} has no Ethernet address (gratuitous ARP needs one)");
        }

        return new NetInterface(name, index, mac);
    }

    /// <summary>The hardware address as <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public string MacText => string.Join(':', Mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial uint IfNameToIndex(string name);
}
