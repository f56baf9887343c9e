using System.Text.Json.Nodes;
using Redundancy.Simulation.Harness;
using static Redundancy.Integration.Tests.PairAssert;

namespace Redundancy.Integration.Tests;

/// <summary>TLS and credentials to a real mosquitto, with a CA and certificates made by openssl in the test.</summary>
[Collection("pair")]
public sealed class MqttTlsTests
{
    private static readonly PairSpec Solo = new() { IntervalMs = 20, PeerTimeoutMs = 100, StartupWindowMs = 300, SoloStart = true, ReplicationMode = null };

    [Fact]
    public void TlsWithTheRightCaAndAClientCertificate_Connects_AWrongCa_IsAClearError_AndTheNodeServesOn()
    {
        using var pair = PairHarness.Create(Solo);
        var pki = Path.Combine(pair.Directory, "pki");
        Directory.CreateDirectory(pki);
        Ca(pki, "ca");
        Ca(pki, "other-ca");
        Leaf(pki, "ca", "server", "subjectAltName=IP:127.0.0.1");
        Leaf(pki, "ca", "client", "extendedKeyUsage=clientAuth");
        foreach (var file in Directory.GetFiles(pki))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100); // mosquitto reads them as its own user (test keys only)
        }

        using var broker = new MosquittoBroker(Path.Combine(pair.Directory, "tls-broker"), tls: (F(pki, "ca.crt"), F(pki, "server.crt"), F(pki, "server.key")));

        pair.EditConfig("A", c => c["mqtt"] = new JsonObject
        {
            ["broker"] = broker.Address,
            ["tls"] = new JsonObject { ["caFile"] = F(pki, "ca.crt"), ["certFile"] = F(pki, "client.crt"), ["keyFile"] = F(pki, "client.key") },
        });
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));
        using (var a = pair.Control("A"))
        {
            Assert.True(Eventually(() => a.Status().Mqtt is { Connected: true, Published: > 0 }, Wait), $"{a.Status().Mqtt}" + Tail(pair));
        }

        pair.A.Dispose();
        pair.EditConfig("A", c => c["mqtt"]!["tls"]!["caFile"] = F(pki, "other-ca.crt"));
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));
        var alarm = pair.A.WaitForAlarm("Mqtt", Wait);
        Assert.NotNull(alarm);
        Assert.Contains("not signed by mqtt.tls.caFile", alarm!.Reason);
        using var b = pair.Control("A");
        Assert.False(b.Status().Mqtt!.Connected);
        Assert.True(b.Set("setpoints/flow", "1").Ok); // the node serves on
    }

    [Fact]
    public void WrongPassword_IsNamedInTheAlarm_AndTheNodeServesOn_TheRightOneConnects()
    {
        using var pair = PairHarness.Create(Solo);
        using var broker = new MosquittoBroker(Path.Combine(pair.Directory, "auth-broker"), new Dictionary<string, string> { ["pair7"] = "s3cret" });
        var passwordFile = Path.Combine(pair.Directory, "mqtt.password");
        File.WriteAllText(passwordFile, "wrong\n");
        pair.EditConfig("A", c => c["mqtt"] = new JsonObject { ["broker"] = broker.Address, ["username"] = "pair7", ["passwordFile"] = passwordFile });
        pair.StartAgent("A");
        Assert.True(pair.A.WaitForRole("Active", Wait) is not null, Tail(pair));

        var alarm = pair.A.WaitForAlarm("Mqtt", Wait);
        Assert.NotNull(alarm);
        Assert.True(alarm!.Reason.Contains("wrong password (mqtt.passwordFile)", StringComparison.Ordinal), alarm.Reason);
        using (var a = pair.Control("A"))
        {
            Assert.True(a.Set("setpoints/flow", "1").Ok);
        }

        pair.A.Dispose();
        File.WriteAllText(passwordFile, "s3cret\n");
        pair.StartAgent("A");
        using var again = pair.Control("A");
        Assert.True(Eventually(() => again.Status().Mqtt is { Connected: true }, Wait), Tail(pair));
    }

    private static string Tail(PairHarness pair) => "\n" + string.Join('\n', pair.A.Lines.TakeLast(25));

    private static string F(string dir, string file) => Path.Combine(dir, file);

    private static void Ca(string dir, string name) => OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", $"/CN={name}",
        "-keyout", F(dir, $"{name}.key"), "-out", F(dir, $"{name}.crt"));

    private static void Leaf(string dir, string ca, string name, string extension)
    {
        OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-subj", $"/CN={name}", "-keyout", F(dir, $"{name}.key"), "-out", F(dir, $"{name}.csr"));
        File.WriteAllText(F(dir, $"{name}.ext"), extension + "\n");
        OpenSsl("x509", "-req", "-in", F(dir, $"{name}.csr"), "-CA", F(dir, $"{ca}.crt"), "-CAkey", F(dir, $"{ca}.key"), "-CAcreateserial",
            "-days", "2", "-extfile", F(dir, $"{name}.ext"), "-out", F(dir, $"{name}.crt"));
    }

    private static void OpenSsl(params string[] args)
    {
        var (code, output) = ExternalProcess.Run("openssl", args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)}: {output}");
    }
}
