using System.Net;

namespace Redundancy.Core.Configuration;

/// <summary>
/// The pair's system IP (config section <c>systemIp</c>): one IPv4 address the active holds on one interface and
/// announces with gratuitous ARP, so clients talk to the pair at one address (docs/system-ip.md).
/// </summary>
/// <param name="Address">The address (IPv4, not network, broadcast, loopback, multicast or unspecified).</param>
/// <param name="PrefixLength">Its prefix length, 1-32 (<c>"192.168.10.100/24"</c> gives 24).</param>
/// <param name="Interface">The interface it goes on (a Linux interface name, 1-15 characters).</param>
/// <param name="ArpCount">Gratuitous ARPs sent after the address is added and after a heal (1-20, default 3).</param>
/// <param name="ArpInterval">Between two of them (<c>arpIntervalMs</c>, 10-5000 ms, default 100 ms).</param>
/// <param name="Timeout">Bound on one add, removal or announcement on the slow lane (<c>timeoutMs</c>, 50-10000 ms,
/// default 1000 ms). A step-down waits for the removal at most one peer timeout before it announces (the removal goes
/// on, within this bound).</param>
public sealed record SystemIpOptions(IPAddress Address, int PrefixLength, string Interface, int ArpCount, TimeSpan ArpInterval, TimeSpan Timeout)
{
    /// <summary>The address as written in the config, <c>address/prefix</c>.</summary>
    public string Cidr => $"{Address}/{PrefixLength}";
}
