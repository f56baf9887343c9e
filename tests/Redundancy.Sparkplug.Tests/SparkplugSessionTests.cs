using Redundancy.Sparkplug.Wire;
using static Redundancy.Sparkplug.Tests.Samples;

namespace Redundancy.Sparkplug.Tests;

/// <summary>NDEATH, NBIRTH and NDATA as bytes, read back with the schema: bdSeq, seq, aliases, changes only.</summary>
public sealed class SparkplugSessionTests
{
    [Fact]
    public void Death_IsTheBdSeqMetricAlone_Int64_WithoutSeq_QoS1NotRetained()
    {
        var session = Session(Clock(), bdSeq: 7);

        var death = session.Death();
        var payload = Parse(death);

        Assert.Equal(SparkplugMessageType.NDeath, death.Type);
        Assert.Equal("spBv1.0/Plant 1/NDEATH/pair-7-A", death.Topic);
        Assert.Equal(1, death.QualityOfService);
        Assert.False(death.Retain);
        Assert.Null(death.Seq);
        Assert.False(payload.HasSeq);
        Assert.Equal((ulong)StartMs, payload.Timestamp);
        var bdSeq = Assert.Single(payload.Metrics);
        Assert.Equal("bdSeq", bdSeq.Name);
        Assert.False(bdSeq.HasAlias);
        Assert.Equal((uint)SparkplugDataType.Int64, bdSeq.Datatype);
        Assert.Equal(7UL, bdSeq.LongValue);
        Assert.Null(session.Seq);
    }

    [Fact]
    public void Birth_HasEveryMetricWithNameAliasDatatypeValueAndTimestamp_PlusBdSeqAndRebirth_Seq0()
    {
        var time = Clock();
        var session = Session(time, bdSeq: 7);
        var metrics = Mixed();

        var birth = session.Birth(metrics);
        var payload = Parse(birth);

        Assert.Equal(SparkplugMessageType.NBirth, birth.Type);
        Assert.Equal("spBv1.0/Plant 1/NBIRTH/pair-7-A", birth.Topic);
        Assert.Equal(0, birth.QualityOfService);
        Assert.False(birth.Retain);
        Assert.True(payload.HasSeq);
        Assert.Equal(0UL, payload.Seq);
        Assert.Equal((byte)0, birth.Seq);
        Assert.Equal((ulong)StartMs, payload.Timestamp);
        Assert.Equal(metrics.Count + 2, payload.Metrics.Count);
        Assert.Equal(payload.Metrics.Count, birth.MetricCount);

        var bdSeq = payload.Metrics.Single(m => m.Name == "bdSeq");
        Assert.Equal(((uint)SparkplugDataType.Int64, 7UL, false), (bdSeq.Datatype, bdSeq.LongValue, bdSeq.HasAlias));
        var rebirth = payload.Metrics.Single(m => m.Name == "Node Control/Rebirth");
        Assert.Equal(((uint)SparkplugDataType.Boolean, false, false), (rebirth.Datatype, rebirth.BooleanValue, rebirth.HasAlias));
        Assert.Equal(Payload.Types.Metric.ValueOneofCase.BooleanValue, rebirth.ValueCase);

        var ours = payload.Metrics.Where(m => m.HasAlias).ToList();
        Assert.Equal(metrics.Select(m => m.Name), ours.Select(m => m.Name));
        Assert.Equal(Enumerable.Range(1, metrics.Count).Select(i => (ulong)i), ours.Select(m => m.Alias));
        foreach (var (metric, wire) in metrics.Zip(ours))
        {
            Assert.Equal((uint)metric.Value.Type, wire.Datatype);
            Assert.Equal(metric.Value, MetricWire.Read(wire, metric.Value.Type));
            Assert.Equal((ulong)StartMs, wire.Timestamp);
        }

        Assert.All(payload.Metrics, m => Assert.Equal((ulong)StartMs, m.Timestamp));
    }

    [Fact]
    public void EveryValue_RoundTrips_ExtremesAndNullsIncluded()
    {
        var values = new MetricValue[]
        {
            true, false, int.MinValue, -1, int.MaxValue, long.MinValue, -1L, long.MaxValue, 0UL, ulong.MaxValue,
            double.NegativeInfinity, -0.5, double.Epsilon, double.MaxValue, double.NaN, "", "ünïcødé 🏭",
            MetricValue.Null(SparkplugDataType.Boolean), MetricValue.Null(SparkplugDataType.Int32), MetricValue.Null(SparkplugDataType.Int64),
            MetricValue.Null(SparkplugDataType.UInt64), MetricValue.Null(SparkplugDataType.Double), MetricValue.Of((string?)null),
        };
        var metrics = new SparkplugMetrics(values.Select((v, i) => new SparkplugMetric($"Values/{i}", v)));

        var payload = Parse(Session(Clock()).Birth(metrics));

        foreach (var (metric, wire) in metrics.Zip(payload.Metrics.Where(m => m.HasAlias)))
        {
            Assert.Equal(metric.Value, MetricWire.Read(wire, (SparkplugDataType)wire.Datatype));
            Assert.Equal(metric.Value.IsNull, wire.HasIsNull && wire.IsNull);
            Assert.Equal(metric.Value.IsNull, wire.ValueCase == Payload.Types.Metric.ValueOneofCase.None);
        }
    }

    [Fact]
    public void Data_CarriesOnlyTheChangedMetrics_ByAliasWithoutNameOrDatatype_InGivenOrder()
    {
        var time = Clock();
        var session = Session(time);
        session.Birth(Mixed());
        time.Advance(TimeSpan.FromMilliseconds(250));

        var changed = Mixed();
        changed = new SparkplugMetrics(changed.Select(m => m.Name switch
        {
            "Links/serial/FramesPerSecond" => m with { Value = 12.25 },
            "Redundancy/Role" => m with { Value = "Standby" },
            "Takeover/LastReason" => m with { Value = "peer silent on all links" },
            _ => m,
        }));
        var data = session.Data(changed);

        Assert.NotNull(data);
        Assert.Equal(SparkplugMessageType.NData, data.Type);
        Assert.Equal("spBv1.0/Plant 1/NDATA/pair-7-A", data.Topic);
        Assert.Equal((0, false), (data.QualityOfService, data.Retain));
        var payload = Parse(data);
        Assert.Equal(1UL, payload.Seq);
        Assert.Equal((ulong)StartMs + 250, payload.Timestamp);
        Assert.Equal(
            [session.AliasOf("Redundancy/Role")!.Value, session.AliasOf("Links/serial/FramesPerSecond")!.Value, session.AliasOf("Takeover/LastReason")!.Value],
            payload.Metrics.Select(m => m.Alias));
        Assert.All(payload.Metrics, m =>
        {
            Assert.False(m.HasName);
            Assert.False(m.HasDatatype);
            Assert.Equal((ulong)StartMs + 250, m.Timestamp);
        });
        Assert.Equal("Standby", payload.Metrics[0].StringValue);
        Assert.Equal(12.25, payload.Metrics[1].DoubleValue);
        Assert.Equal("peer silent on all links", payload.Metrics[2].StringValue);
        Assert.False(payload.Metrics[2].HasIsNull);
    }

    [Fact]
    public void Data_ComparesWithTheLastNData_NotOnlyTheBirth()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "A", 1 }, { "B", 1 } });

        Assert.Single(Parse(session.Data(new SparkplugMetrics { { "A", 2 }, { "B", 1 } })!).Metrics);
        var second = Parse(session.Data(new SparkplugMetrics { { "A", 2 }, { "B", 3 } })!);

        var only = Assert.Single(second.Metrics);
        Assert.Equal(session.AliasOf("B"), only.Alias);
    }

    [Fact]
    public void Data_GoingToNullAndBack_IsAChange()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "Replication/LagMs", 3.5 } });

        var toNull = Parse(session.Data(new SparkplugMetrics { { "Replication/LagMs", MetricValue.Null(SparkplugDataType.Double) } })!);
        var back = Parse(session.Data(new SparkplugMetrics { { "Replication/LagMs", 3.5 } })!);

        Assert.True(Assert.Single(toNull.Metrics).IsNull);
        Assert.Equal(3.5, Assert.Single(back.Metrics).DoubleValue);
    }

    [Fact]
    public void Data_WithNothingChanged_IsNull_AndUsesNoSeq()
    {
        var session = Session(Clock());
        session.Birth(Mixed());

        Assert.Null(session.Data(Mixed()));
        Assert.Equal((byte)0, session.Seq);
        Assert.Equal(1UL, Parse(session.Data(new SparkplugMetrics(Mixed().Select(m => m.Name == "Redundancy/ServiceLevel" ? m with { Value = 200 } : m)))!).Seq);
    }

    [Fact]
    public void Seq_CountsUpFromTheBirth_AndWrapsFrom255To0()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "Counter", 0L } });

        var seqs = new List<ulong>();
        for (var i = 1; i <= 258; i++)
        {
            var data = session.Data(new SparkplugMetrics { { "Counter", (long)i } })!;
            Assert.Equal(data.Seq, (byte)Parse(data).Seq);
            seqs.Add(Parse(data).Seq);
        }

        Assert.Equal(Enumerable.Range(1, 255).Select(i => (ulong)i), seqs.Take(255));
        Assert.Equal([0UL, 1UL, 2UL], seqs.Skip(255));
    }

    [Fact]
    public void Birth_ResetsSeqTo0_AndTheNextDataIs1()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "Counter", 0L } });
        for (var i = 1; i <= 5; i++)
        {
            session.Data(new SparkplugMetrics { { "Counter", (long)i } });
        }

        Assert.Equal((byte)5, session.Seq);
        var rebirth = session.Birth(new SparkplugMetrics { { "Counter", 5L } });
        var next = session.Data(new SparkplugMetrics { { "Counter", 6L } })!;

        Assert.Equal(0UL, Parse(rebirth).Seq);
        Assert.Equal(1UL, Parse(next).Seq);
    }

    [Fact]
    public void Death_LeavesSeqAsItWas()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "Counter", 0L } });
        session.Data(new SparkplugMetrics { { "Counter", 1L } });

        session.Death();

        Assert.Equal(2UL, Parse(session.Data(new SparkplugMetrics { { "Counter", 2L } })!).Seq);
    }

    [Fact]
    public void Aliases_AreTheSameInNDataAsInNBirth_AndAcrossRebirths()
    {
        var session = Session(Clock());
        var birth = Parse(session.Birth(Mixed()));
        var aliasByName = birth.Metrics.Where(m => m.HasAlias).ToDictionary(m => m.Name, m => m.Alias);

        var everything = new SparkplugMetrics(Mixed().Select(m => m with
        {
            Value = m.Value.Type switch
            {
                SparkplugDataType.Boolean => false,
                SparkplugDataType.Int32 => 1,
                SparkplugDataType.Int64 => 1L,
                SparkplugDataType.UInt64 => 1UL,
                SparkplugDataType.Double => 1.0,
                _ => "changed",
            },
        }));
        var data = Parse(session.Data(everything)!);
        var rebirth = Parse(session.Birth(everything));

        Assert.Equal(aliasByName.Values.Order(), data.Metrics.Select(m => m.Alias).Order());
        Assert.Equal(everything.Select(m => aliasByName[m.Name]), data.Metrics.Select(m => m.Alias));
        Assert.Equal(aliasByName, rebirth.Metrics.Where(m => m.HasAlias).ToDictionary(m => m.Name, m => m.Alias));
    }

    [Fact]
    public void Data_BeforeAnyBirth_IsABirth()
    {
        var session = Session(Clock());

        var first = session.Data(Mixed())!;

        Assert.Equal(SparkplugMessageType.NBirth, first.Type);
        Assert.True(session.IsBorn);
        Assert.Null(session.Data(Mixed()));
    }

    [Fact]
    public void Data_WithAMetricAddedOrGone_IsARebirth_OldAliasesKept_NoneReused()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "A", 1 }, { "B", 2 } });
        session.Data(new SparkplugMetrics { { "A", 5 }, { "B", 2 } });

        var added = session.Data(new SparkplugMetrics { { "A", 5 }, { "B", 2 }, { "C", 3 } })!;
        var gone = session.Data(new SparkplugMetrics { { "A", 5 }, { "C", 3 } })!;
        var back = session.Data(new SparkplugMetrics { { "A", 5 }, { "C", 3 }, { "D", 4 } })!;

        Assert.Equal((SparkplugMessageType.NBirth, (byte?)0), (added.Type, added.Seq));
        Assert.Equal(SparkplugMessageType.NBirth, gone.Type);
        Assert.Equal(SparkplugMessageType.NBirth, back.Type);
        Assert.Equal([1UL, 2UL, 3UL], Parse(added).Metrics.Where(m => m.HasAlias).Select(m => m.Alias));
        Assert.Equal([1UL, 3UL], Parse(gone).Metrics.Where(m => m.HasAlias).Select(m => m.Alias));
        Assert.Equal([1UL, 3UL, 4UL], Parse(back).Metrics.Where(m => m.HasAlias).Select(m => m.Alias));
    }

    [Fact]
    public void Data_WithAMetricOfAnotherType_IsARebirth()
    {
        var session = Session(Clock());
        session.Birth(new SparkplugMetrics { { "A", 1 } });

        var message = session.Data(new SparkplugMetrics { { "A", 1L } })!;

        Assert.Equal(SparkplugMessageType.NBirth, message.Type);
        Assert.Equal((uint)SparkplugDataType.Int64, Parse(message).Metrics.Single(m => m.Name == "A").Datatype);
    }

    [Fact]
    public void BirthsOfTheSession_AllCarryItsBdSeq()
    {
        var session = Session(Clock(), bdSeq: 255);

        var births = new[] { session.Birth(Mixed()), session.Birth(Mixed()) };

        Assert.All(births, b => Assert.Equal(255UL, Parse(b).Metrics.Single(m => m.Name == "bdSeq").LongValue));
        Assert.Equal(255UL, Parse(session.Death()).Metrics.Single().LongValue);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData(0, 1)]
    [InlineData(254, 255)]
    [InlineData(255, 0)]
    public void NextBdSeq_StartsAt0_AndWrapsAfter255(int? previous, int expected) =>
        Assert.Equal((byte)expected, SparkplugSession.NextBdSeq(previous is { } p ? (byte)p : null));

    [Fact]
    public void Metrics_RefuseEmptyDuplicateAndReservedNames()
    {
        Assert.Equal("a Sparkplug metric name must not be empty (Parameter 'metric')", Assert.Throws<ArgumentException>(() => new SparkplugMetrics { { "", 1 } }).Message);
        Assert.StartsWith("metric 'A' is given twice", Assert.Throws<ArgumentException>(() => new SparkplugMetrics { { "A", 1 }, { "A", 2 } }).Message, StringComparison.Ordinal);
        Assert.StartsWith("metric 'bdSeq' is added by the session itself", Assert.Throws<ArgumentException>(() => new SparkplugMetrics { { "bdSeq", 1L } }).Message, StringComparison.Ordinal);
        Assert.StartsWith("metric 'Node Control/Rebirth' is added by the session itself", Assert.Throws<ArgumentException>(() => new SparkplugMetrics { { "Node Control/Rebirth", false } }).Message, StringComparison.Ordinal);
    }
}
