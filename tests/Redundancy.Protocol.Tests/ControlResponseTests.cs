using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;
using Redundancy.Protocol.Status;

namespace Redundancy.Protocol.Tests;

/// <summary>Answers on the wire: the shapes clients of the older hand-written socket read, and typed reading back.</summary>
public sealed class ControlResponseTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, 250, TimeSpan.Zero);

    [Fact]
    public void WriteAnswer_KeepsTheOldShape()
    {
        Assert.Equal("""{"ok":true,"v":1,"epoch":2,"sequence":5}""", ControlProtocol.Format(new WriteResponse { Ok = true, Epoch = 2, Sequence = 5 }));
    }

    [Fact]
    public void ErrorAnswer_CarriesOnlyOkVAndError()
    {
        Assert.Equal("""{"ok":false,"v":1,"error":"no key k"}""", ControlProtocol.Format(ControlProtocol.Failure("no key k")));
    }

    [Fact]
    public void AnswersAreReadableText_ControlCharactersStillEscaped()
    {
        var error = ControlProtocol.Format(ControlProtocol.Failure("unknown op 'x': \"é\" + <b>\n"));
        var row = ControlProtocol.Format(new GetResponse { Ok = true, Key = "café", Value = ControlProtocol.Value("\"\\u00e9\"") });

        Assert.Equal("""{"ok":false,"v":1,"error":"unknown op 'x': \"é\" + <b>\n"}""", error);
        Assert.StartsWith("""{"ok":true,"v":1,"key":"café","value":"é",""", row);
    }

    [Fact]
    public void ErrorAnswer_ReadsAsTheAnswerOfAnyOp()
    {
        var line = ControlProtocol.Format(ControlProtocol.Failure("no key k"));

        var get = ControlProtocol.ParseResponse<GetResponse>(line);
        var status = ControlProtocol.ParseResponse<StatusResponse>(line);

        Assert.False(get.Ok);
        Assert.Equal("no key k", get.Error);
        Assert.Null(get.Value);
        Assert.Null(status.Status);
    }

    [Fact]
    public void GetAnswer_IsTheFlatRow_ValueAsJson()
    {
        var answer = new GetResponse { Ok = true, Key = "setpoints/boiler", Value = ControlProtocol.Value("""{"celsius":72.5}"""), Epoch = 1, Sequence = 9, Time = At };

        var line = ControlProtocol.Format(answer);

        Assert.Equal("""{"ok":true,"v":1,"key":"setpoints/boiler","value":{"celsius":72.5},"epoch":1,"sequence":9,"time":"2025-03-01T12:00:00.25+00:00"}""", line);
        Assert.Equal(72.5, ControlProtocol.ParseResponse<GetResponse>(line).Value!.Value.GetProperty("celsius").GetDouble());
    }

    [Fact]
    public void ListAnswer_HasItems()
    {
        var answer = new ListResponse { Ok = true, Items = [new StateItem("a", ControlProtocol.Value("1"), 1, 2, At)] };

        var read = ControlProtocol.ParseResponse<ListResponse>(ControlProtocol.Format(answer));

        Assert.StartsWith("""{"ok":true,"v":1,"items":[{"key":"a","value":1,""", ControlProtocol.Format(answer));
        Assert.Equal("a", Assert.Single(read.Items!).Key);
    }

    [Fact]
    public void EventsAnswer_NamesEnumsAndLeavesNullsOut()
    {
        var e = new NodeEvent { Sequence = 3, Time = At, Node = "A", Kind = NodeEventKind.RoleChanged, Reason = "peer silent", From = "Standby", To = "Active", Epoch = 4 };
        var answer = new EventsResponse { Ok = true, Events = [e], Next = 3, Missed = 0, Last = 3 };

        var line = ControlProtocol.Format(answer);
        var read = ControlProtocol.ParseResponse<EventsResponse>(line);

        Assert.Contains("""{"sequence":3,"time":"2025-03-01T12:00:00.25+00:00","node":"A","kind":"RoleChanged","reason":"peer silent","from":"Standby","to":"Active","epoch":4}""", line);
        Assert.EndsWith(""","next":3,"missed":0,"last":3}""", line);
        Assert.Equal(e, Assert.Single(read.Events!));
    }

    [Fact]
    public void StatusAnswer_NestsTheStatus()
    {
        var status = new NodeStatus
        {
            Node = "A", NodeId = 1, PairId = 7, Version = "1.0", StartedAt = At, UptimeSeconds = 1, Role = "Active", Epoch = 2, Readiness = "Hot",
            ServiceLevel = 255, Mode = "primary-only", LastSequence = 0, StorageCommits = 0, StorageEntries = 0, RoleChanges = 1, LastEventSequence = 2,
            Peer = new PeerStatus(2, "Standby", "Hot", 0), Links = [], Outputs = [], Alarms = [],
        };

        var line = ControlProtocol.Format(new StatusResponse { Ok = true, Status = status });
        var read = ControlProtocol.ParseResponse<StatusResponse>(line);

        Assert.StartsWith("""{"ok":true,"v":1,"status":{"schema":1,"node":"A",""", line);
        Assert.Equal("Hot", read.Status!.Peer!.Readiness);
    }

    [Fact]
    public void StatusAnswer_CarriesTheWitness_LeavingOutWhatTheNodeCannotKnow()
    {
        var status = new NodeStatus
        {
            Node = "A", NodeId = 1, PairId = 7, Version = "1.0", StartedAt = At, UptimeSeconds = 1, Role = "Active", Epoch = 2, Readiness = "Hot",
            ServiceLevel = 255, Mode = "primary-only", LastSequence = 0, StorageCommits = 0, StorageEntries = 0, RoleChanges = 1, LastEventSequence = 2,
            Links = [], Outputs = [], Alarms = [],
        };
        var active = status with { Witness = new WitnessStatus("lease", "10.0.0.5:5407", true, true, 1, 80.5, 12) };
        var standby = status with { Witness = new WitnessStatus("lease", "10.0.0.5:5407", false, null, null, 0, null) };

        var line = ControlProtocol.Format(new StatusResponse { Ok = true, Status = active });
        var read = ControlProtocol.ParseResponse<StatusResponse>(line);
        var none = ControlProtocol.Format(new StatusResponse { Ok = true, Status = status });

        Assert.Contains(""","witness":{"mode":"lease","address":"10.0.0.5:5407","asking":true,"reachable":true,"holder":1,"leaseRemainingMs":80.5,"lastAnswerAgeMs":12}""", line);
        Assert.Equal(active.Witness, read.Status!.Witness);
        Assert.Contains(""","witness":{"mode":"lease","address":"10.0.0.5:5407","asking":false,"leaseRemainingMs":0}""", ControlProtocol.Format(new StatusResponse { Ok = true, Status = standby }));
        Assert.DoesNotContain("witness", none);
    }

    [Fact]
    public void AnswerWithoutV_IsVersion1_AndUnknownFieldsAreIgnored()
    {
        var read = ControlProtocol.ParseResponse<WriteResponse>("""{"ok":true,"epoch":1,"sequence":2,"later":"field"}""");

        Assert.Equal(1, read.V);
        Assert.Equal(2UL, read.Sequence);
    }
}
