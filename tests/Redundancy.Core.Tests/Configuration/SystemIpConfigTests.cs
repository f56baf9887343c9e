using System.Net;
using Redundancy.Core.Configuration;

namespace Redundancy.Core.Tests.Configuration;

/// <summary>The <c>systemIp</c> section: read with its defaults, every field checked, each error naming its field.</summary>
public sealed class SystemIpConfigTests
{
    private const string Base = """
        {"pairId":7,"nodeId":1,"pairKeyFile":"/k","gpio":{"driver":"simulated","simulatorSocket":"/s"},"udp":{"bind":"127.0.0.1:5405","peer":"127.0.0.1:5406"},"heartbeat":{"intervalMs":20,"peerTimeoutMs":300}
        """;

    private static (AgentOptions? Options, IReadOnlyList<string> Errors) Parse(string systemIp) =>
        (AgentConfig.Parse(Base + $",\"systemIp\":{systemIp}}}", out var errors), errors);

    [Fact]
    public void FullSection_IsRead()
    {
        var (options, errors) = Parse("""{"address":"192.168.10.100/24","interface":"eth0","arpCount":5,"arpIntervalMs":200,"timeoutMs":250}""");

        Assert.Empty(errors);
        Assert.Equal(new SystemIpOptions(IPAddress.Parse("192.168.10.100"), 24, "eth0", 5, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(250)), options!.SystemIp);
        Assert.Equal("192.168.10.100/24", options.SystemIp!.Cidr);
    }

    [Fact]
    public void Defaults_ThreeArpsEvery100Ms_ASecondForEachStep()
    {
        var (options, errors) = Parse("""{"address":"10.0.0.5/8","interface":"lan0"}""");

        Assert.Empty(errors);
        Assert.Equal(3, options!.SystemIp!.ArpCount);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.SystemIp.ArpInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), options.SystemIp.Timeout);
    }

    [Fact]
    public void NoSection_NoSystemIp()
    {
        Assert.Null(AgentConfig.Parse(Base + "}", out _)!.SystemIp);
    }

    [Theory]
    [InlineData("""{"interface":"eth0"}""", "systemIp.address", "is required")]
    [InlineData("""{"address":"192.168.10.100","interface":"eth0"}""", "systemIp.address", "prefix length")]
    [InlineData("""{"address":"192.168.10.100/33","interface":"eth0"}""", "systemIp.address", "prefix length")]
    [InlineData("""{"address":"192.168.10.100/0","interface":"eth0"}""", "systemIp.address", "prefix length")]
    [InlineData("""{"address":"fd00::1/64","interface":"eth0"}""", "systemIp.address", "IPv4")]
    [InlineData("""{"address":"host/24","interface":"eth0"}""", "systemIp.address", "IPv4")]
    [InlineData("""{"address":"127.0.0.2/8","interface":"eth0"}""", "systemIp.address", "loopback")]
    [InlineData("""{"address":"224.0.0.5/24","interface":"eth0"}""", "systemIp.address", "unicast")]
    [InlineData("""{"address":"0.0.0.0/24","interface":"eth0"}""", "systemIp.address", "unspecified")]
    [InlineData("""{"address":"192.168.10.0/24","interface":"eth0"}""", "systemIp.address", "network address")]
    [InlineData("""{"address":"192.168.10.255/24","interface":"eth0"}""", "systemIp.address", "broadcast address")]
    [InlineData("""{"address":"192.168.10.100/24"}""", "systemIp.interface", "is required")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"a-very-long-name0"}""", "systemIp.interface", "1-15 characters")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth0:1"}""", "systemIp.interface", "interface name")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth 0"}""", "systemIp.interface", "interface name")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth0","arpCount":0}""", "systemIp.arpCount", "from 1 to 20")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth0","arpCount":21}""", "systemIp.arpCount", "from 1 to 20")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth0","arpIntervalMs":5}""", "systemIp.arpIntervalMs", "from 10 to 5000")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth0","timeoutMs":10}""", "systemIp.timeoutMs", "from 50 to 10000")]
    [InlineData("""{"address":"192.168.10.100/24","interface":"eth0","timeoutMs":10001}""", "systemIp.timeoutMs", "from 50 to 10000")]
    public void BadField_IsRefused_NamingTheField(string section, string field, string rule)
    {
        var (options, errors) = Parse(section);

        Assert.Null(options);
        var error = Assert.Single(errors);
        Assert.StartsWith(field + ":", error);
        Assert.Contains(rule, error);
    }

    [Fact]
    public void UnknownField_IsRefused_WithItsPath()
    {
        var (options, errors) = Parse("""{"address":"192.168.10.100/24","interface":"eth0","arpCont":3}""");

        Assert.Null(options);
        Assert.Contains("systemIp", Assert.Single(errors));
    }

    [Fact]
    public void ATextWhereANumberGoes_IsRefused_WithItsPath()
    {
        var (options, errors) = Parse("""{"address":"192.168.10.100/24","interface":"eth0","arpCount":"3"}""");

        Assert.Null(options);
        Assert.Contains("systemIp.arpCount", Assert.Single(errors));
    }
}
