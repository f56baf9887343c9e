using System.Text.Json;
using Redundancy.Protocol.Control;

namespace Redundancy.Protocol.Tests;

/// <summary>Parsing request lines: the typed request, or an error in plain words that names the field.</summary>
public sealed class ControlProtocolTests
{
    [Fact]
    public void RequestWithoutV_IsTakenAsVersion1()
    {
        var request = Parse("""{"op":"status"}""");

        Assert.IsType<StatusRequest>(request);
        Assert.Equal(1, request.V);
        Assert.Equal("""{"op":"status","v":1}""", ControlProtocol.Format(request));
    }

    [Fact]
    public void RequestOfAHigherVersion_IsRefusedNamingBothVersions()
    {
        var error = Refused("""{"op":"status","v":2}""");

        Assert.Equal("protocol version 2 is not supported: this agent speaks version 1", error);
    }

    [Theory]
    [InlineData("""{"op":"status","v":0}""", "protocol version 0 does not exist")]
    [InlineData("""{"op":"status","v":-1}""", "protocol version -1 does not exist")]
    [InlineData("""{"op":"status","v":"1"}""", "\"v\" must be a whole number")]
    [InlineData("""{"op":"status","v":1.5}""", "\"v\" must be a whole number")]
    public void RequestWithABadVersion_IsRefused(string line, string expected) =>
        Assert.Contains(expected, Refused(line));

    [Fact]
    public void VersionIsCheckedBeforeTheOp_SoANewerCallerLearnsWhy()
    {
        Assert.StartsWith("protocol version 3", Refused("""{"op":"switchover","v":3}"""));
    }

    [Fact]
    public void UnknownOp_IsRefusedListingEveryOp()
    {
        Assert.Equal("unknown op 'x': use set, delete, get, list, conflicts, status, diagnostics, events, maintenance, switchover, drill or release-startup", Refused("""{"op":"x"}"""));
    }

    [Theory]
    [InlineData("""{"op":"switchover","force":"yes"}""", "\"force\" must be true or false")]
    [InlineData("""{"op":"switchover","timeoutMs":0}""", "\"timeoutMs\" must be a whole number of milliseconds from 1 to 60000")]
    [InlineData("""{"op":"drill","timeoutMs":60001}""", "\"timeoutMs\" must be a whole number of milliseconds from 1 to 60000")]
    [InlineData("""{"op":"drill","timeoutMs":"5s"}""", "\"timeoutMs\" must be a whole number of milliseconds from 1 to 60000")]
    public void SwitchoverAndDrill_BadFields_AreRefusedNamingTheField(string line, string expected) => Assert.Equal(expected, Refused(line));

    [Fact]
    public void SwitchoverAndDrill_Parse_AsChangingOps()
    {
        Assert.True(ControlProtocol.TryParseRequest("""{"op":"switchover","force":true,"timeoutMs":2000}""", out var request, out var error), error);
        var switchover = Assert.IsType<SwitchoverRequest>(request);
        Assert.True(switchover.Force);
        Assert.Equal(2000, switchover.TimeoutMs);
        Assert.True(switchover.Changes);
        Assert.True(ControlProtocol.TryParseRequest("""{"op":"drill"}""", out var drill, out _));
        Assert.True(Assert.IsType<DrillRequest>(drill).Changes);
        Assert.True(ControlProtocol.TryParseRequest("""{"op":"release-startup"}""", out var release, out _));
        Assert.True(Assert.IsType<ReleaseStartupRequest>(release).Changes);
        Assert.Equal("""{"op":"release-startup","v":1}""", ControlProtocol.Format(new ReleaseStartupRequest()));
    }

    [Theory]
    [InlineData("""{"key":"k"}""", "request has no \"op\": use set, delete")]
    [InlineData("""{"op":5}""", "\"op\" must be text")]
    [InlineData("""{"op":"set","value":1}""", "'set' needs \"key\" and \"value\"")]
    [InlineData("""{"op":"set","key":"k"}""", "'set' needs \"key\" and \"value\"")]
    [InlineData("""{"op":"set","key":null,"value":1}""", "'set' needs \"key\" and \"value\"")]
    [InlineData("""{"op":"set","key":5,"value":1}""", "\"key\" must be text")]
    [InlineData("""{"op":"get"}""", "'get' needs \"key\"")]
    [InlineData("""{"op":"delete"}""", "'delete' needs \"key\"")]
    [InlineData("""{"op":"get","key":["k"]}""", "\"key\" must be text")]
    [InlineData("""{"op":"list","prefix":1}""", "\"prefix\" must be text")]
    [InlineData("""{"op":"events","since":-1}""", "\"since\" must be a whole number from 0")]
    [InlineData("""{"op":"events","since":"5"}""", "\"since\" must be a whole number from 0")]
    [InlineData("""{"op":"events","since":null}""", "\"since\" must be a whole number from 0")]
    [InlineData("""{"op":"events","max":0}""", "\"max\" must be a whole number from 1")]
    [InlineData("""{"op":"events","waitMs":30001}""", "\"waitMs\" must be a whole number of milliseconds from 0 to 30000")]
    [InlineData("""{"op":"events","waitMs":-1}""", "\"waitMs\" must be a whole number of milliseconds from 0 to 30000")]
    public void MissingOrMistypedField_IsNamed(string line, string expected) =>
        Assert.Contains(expected, Refused(line));

    [Theory]
    [InlineData("""{"op":"set","key":"a\ud800b","value":1}""", "\"key\" must be valid text: it has an unpaired surrogate")]
    [InlineData("""{"op":"get","key":"a\udc00"}""", "\"key\" must be valid text: it has an unpaired surrogate")]
    [InlineData("""{"op":"set","key":"k","value":"\ud800"}""", "\"value\" must be valid text: it has an unpaired surrogate")]
    [InlineData("""{"op":"set","key":"k","value":{"a":[1,{"\udfff":2}]}}""", "\"value\" must be valid text: it has an unpaired surrogate")]
    [InlineData("""{"op":"s\ud800"}""", "\"op\" must be valid text: it has an unpaired surrogate")]
    public void TextWithAnUnpairedSurrogate_IsRefusedNamingTheField(string line, string expected) =>
        Assert.Contains(expected, Refused(line));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[1]")]
    [InlineData("null")]
    [InlineData("\"status\"")]
    [InlineData("{\"op\":\"status\"")]
    [InlineData("""{"op":"status"} {"op":"status"}""")]
    [InlineData("""{"op":"status",}""")]
    public void LineThatIsNotOneJsonObject_IsRefused(string line) =>
        Assert.StartsWith("request is not a JSON object", Refused(line));

    [Fact]
    public void OpMayComeAnywhereInTheObject()
    {
        var request = Assert.IsType<GetRequest>(Parse("""{"key":"setpoints/boiler","v":1,"op":"get"}"""));

        Assert.Equal("setpoints/boiler", request.Key);
    }

    [Fact]
    public void UnknownFields_AreIgnored()
    {
        Assert.IsType<StatusRequest>(Parse("""{"op":"status","verbose":true,"key":5}"""));
    }

    [Theory]
    [InlineData("""{"celsius":72.5}""", """{"celsius":72.5}""")]
    [InlineData("""{ "a" : [ 1, 2 ] }""", """{"a":[1,2]}""")]
    [InlineData("null", "null")]
    [InlineData("true", "true")]
    [InlineData("\"on\"", "\"on\"")]
    [InlineData("-1.5e3", "-1.5e3")]
    public void SetTakesAnyJsonValue_StoredCompact(string value, string stored)
    {
        var request = Assert.IsType<SetRequest>(Parse($$"""{"op":"set","key":"k","value":{{value}}}"""));

        Assert.Equal(stored, ControlProtocol.JsonText(request.Value));
        Assert.True(request.Changes);
    }

    [Fact]
    public void EventsRequest_DefaultsToEverythingRetainedAtOnce()
    {
        var request = Assert.IsType<EventsRequest>(Parse("""{"op":"events"}"""));

        Assert.Equal(new EventsRequest(0, null, null), request);
        Assert.Equal(new EventsRequest(7, 10, 30_000), Parse("""{"op":"events","since":7,"max":10,"waitMs":30000}"""));
    }

    [Fact]
    public void OnlyWritesAreChangingOps()
    {
        ControlRequest[] reading = [new GetRequest("k"), new ListRequest(), new ConflictsRequest(), new StatusRequest(), new DiagnosticsRequest(), new EventsRequest()];
        ControlRequest[] changing = [new SetRequest("k", ControlProtocol.Value("1")), new DeleteRequest("k")];

        Assert.All(reading, r => Assert.False(r.Changes, r.Op));
        Assert.All(changing, r => Assert.True(r.Changes, r.Op));
    }

    [Fact]
    public void EveryRequest_SurvivesFormatAndParse()
    {
        ControlRequest[] requests =
        [
            new SetRequest("setpoints/boiler", ControlProtocol.Value("""{"celsius":72.5}""")), new DeleteRequest("k"), new GetRequest("k"),
            new ListRequest("setpoints/"), new ListRequest(), new ConflictsRequest(), new StatusRequest(), new DiagnosticsRequest(),
            new EventsRequest(3, 5, 100),
        ];

        foreach (var request in requests)
        {
            var line = ControlProtocol.Format(request);
            Assert.StartsWith($$"""{"op":"{{request.Op}}","v":1""", line);
            Assert.Equal(line, ControlProtocol.Format(Parse(line)));
        }
    }

    [Fact]
    public void ArbitraryBytes_NeverThrow()
    {
        var random = new Random(11);
        var alphabet = "{}[]\":,\\u0123456789abcdefnulltrue op key value v since \ud800é\n\t".ToCharArray();
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var line = i % 2 == 0 ? new string(chars) : """{"op":"set","key":""" + new string(chars);
            var ok = ControlProtocol.TryParseRequest(line, out var request, out var error);
            Assert.True(ok ? request is not null : !string.IsNullOrEmpty(error), line);
        }
    }

    private static ControlRequest Parse(string line)
    {
        Assert.True(ControlProtocol.TryParseRequest(line, out var request, out var error), error);
        return request;
    }

    private static string Refused(string line)
    {
        Assert.False(ControlProtocol.TryParseRequest(line, out var request, out var error), request?.ToString());
        return error;
    }
}
