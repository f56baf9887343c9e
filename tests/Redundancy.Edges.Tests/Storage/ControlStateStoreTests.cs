using System.Security.Cryptography;
using Redundancy.Core.Replication;
using Redundancy.Edges.Storage;
using Redundancy.Simulation.Harness;

namespace Redundancy.Edges.Tests.Storage;

/// <summary>The LiteDB change log and control state, on real files in a temp directory.</summary>
public sealed class ControlStateStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Db => _dir.File("state.db");

    [Fact]
    public void AppendedChanges_SurviveReopening_WithPositionAndHistory()
    {
        using (var store = ControlStateStore.Open(Db))
        {
            store.SaveEpoch(3);
            store.Append(3, [("setpoint", "42.5"), ("mode", "\"auto\"")], 1000);
            store.Append(3, [("setpoint", "43")], 2000);
        }

        using var again = ControlStateStore.Open(Db);
        Assert.Equal(3UL, again.Epoch);
        Assert.Equal(3UL, again.LastSequence);
        Assert.Equal(3UL, again.LastEpoch);
        Assert.Equal("43", again.Get("setpoint")!.Value);
        Assert.Equal(3UL, again.Get("setpoint")!.Sequence);
        Assert.Equal("\"auto\"", again.Get("mode")!.Value);
        Assert.Equal([new EpochStart(3, 1)], again.History);
        Assert.Equal(3, again.ReadLog(1, 100).Count);
    }

    [Fact]
    public void KeysThatDifferOnlyInCaseOrAccent_AreDifferentKeys_InOrdinalOrder()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("pump", "1"), ("Pump", "2"), ("PUMP", "3"), ("pümp", "4")], 0);
        store.Append(1, [("Pump", null)], 0);

        Assert.Equal("1", store.Get("pump")!.Value);
        Assert.Null(store.Get("Pump"));
        Assert.Equal(["PUMP", "pump", "pümp"], store.List().Select(r => r.Key));
    }

    [Fact]
    public void FileWithACaseInsensitiveCollation_IsRefusedNamingIt_AndLeftUntouched()
    {
        using (var foreign = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Db, Connection = LiteDB.ConnectionType.Direct }))
        {
            foreign.GetCollection("state").Insert(new LiteDB.BsonDocument { ["_id"] = "pump", ["v"] = "1" });
        }

        AssertOpenRefusedNamingTheFile_AndLeftUntouched("differ only in case");
    }

    [Fact]
    public void Tombstone_RemovesTheKeyAndStaysInTheLog()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("a", "1"), ("b", "2")], 0);
        store.Append(1, [("a", null)], 0);
        Assert.Null(store.Get("a"));
        Assert.Equal(["b"], store.List().Select(r => r.Key));
        Assert.True(store.ReadLog(3, 1)[0].IsTombstone);
    }

    [Fact]
    public void ApplyWithAGap_IsRefusedAndNothingChanges()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("a", "1")], 0);
        var ex = Assert.Throws<InvalidOperationException>(() => store.Apply([new ChangeEntry(1, 3, "b", "2", 0)]));
        Assert.Contains("gaps", ex.Message);
        Assert.Equal(1UL, store.LastSequence);
        Assert.Null(store.Get("b"));
    }

    [Fact]
    public void EntriesOfANewEpoch_ExtendTheHistory()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("a", "1"), ("a", "2")], 0);
        store.Apply([new ChangeEntry(2, 3, "a", "3", 0), new ChangeEntry(2, 4, "b", "1", 0), new ChangeEntry(4, 5, "a", "5", 0)]);
        Assert.Equal([new EpochStart(1, 1), new EpochStart(2, 3), new EpochStart(4, 5)], store.History);
        Assert.Equal(4UL, store.Epoch);
    }

    [Fact]
    public void Compaction_DropsOldEntriesButKeepsTheirEffect()
    {
        using var store = ControlStateStore.Open(Db);
        for (var i = 0; i < 10; i++)
        {
            store.Append(1, [($"k{i}", $"{i}")], 0);
        }

        Assert.Equal(6, store.Compact(6));
        Assert.Equal(7UL, store.FirstInLog);
        Assert.Equal(10, store.Count);
        Assert.Equal("0", store.Get("k0")!.Value);
        Assert.Equal(10UL, store.LastSequence);
    }

    [Fact]
    public void Position_SurvivesReopening_WhenTheLogWasCompactedToNothing()
    {
        using (var store = ControlStateStore.Open(Db))
        {
            store.Apply([new ChangeEntry(3, 1, "a", "1", 0), new ChangeEntry(5, 2, "b", "2", 0)]);
            store.Apply([new ChangeEntry(5, 3, "a", "3", 0)]);
            Assert.Equal(3, store.Compact(3));
            Assert.Equal(0UL, store.FirstInLog);
        }

        using var again = ControlStateStore.Open(Db);
        Assert.Equal((5UL, 3UL, 5UL), (again.LastEpoch, again.LastSequence, again.Epoch));
        again.Apply([new ChangeEntry(5, 4, "c", "4", 0)]);
        Assert.Equal(4UL, again.LastSequence);
    }

    [Fact]
    public void Snapshot_ReplacesStateAndLog()
    {
        using var source = ControlStateStore.Open(_dir.File("source.db"));
        source.Append(2, [("a", "1"), ("b", "2"), ("a", "3")], 0);
        using var target = ControlStateStore.Open(Db);
        target.Append(1, [("stale", "x")], 0);

        target.InstallSnapshot(source.LastEpoch, source.LastSequence, source.History, source.SnapshotRows());

        Assert.Equal(source.List(), target.List());
        Assert.Equal(3UL, target.LastSequence);
        Assert.Equal(0UL, target.FirstInLog);
        target.Apply([new ChangeEntry(2, 4, "c", "4", 0)]);
        Assert.Equal("4", target.Get("c")!.Value);
    }

    [Fact]
    public void DivergedEntries_MoveToConflictsAndThePositionRewinds()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("a", "1"), ("b", "2")], 0);
        store.Apply([new ChangeEntry(3, 3, "a", "from-split", 10), new ChangeEntry(3, 4, "c", null, 11)]);

        var moved = store.MoveToConflicts(2, 99);

        Assert.Equal(2, moved);
        Assert.Equal(2UL, store.LastSequence);
        Assert.Equal(1UL, store.LastEpoch);
        Assert.Equal([new EpochStart(1, 1)], store.History);
        var conflicts = store.Conflicts();
        Assert.Equal(2, conflicts.Count);
        Assert.Equal(new ConflictRow(3, 3, "a", "from-split", 10, 99), conflicts[0]);
        Assert.Null(conflicts[1].Value);
        store.Dispose();
        using var again = ControlStateStore.Open(Db);
        Assert.Equal(2, again.Conflicts().Count);
        Assert.Equal(2UL, again.LastSequence);
    }

    [Fact]
    public void ReadLog_StartsInsideASegment_CrossesSegments_AndStopsAtMax()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("a", "1"), ("b", "2"), ("c", "3")], 0); // one segment: 1-3
        store.Append(1, [("d", "4"), ("e", "5")], 0); // 4-5
        store.Append(1, [("f", "6")], 0); // 6

        Assert.Equal([2UL, 3, 4, 5, 6], store.ReadLog(2, 100).Select(e => e.Sequence));
        Assert.Equal([3UL, 4, 5], store.ReadLog(3, 3).Select(e => e.Sequence));
        Assert.Equal(["d", "e"], store.ReadLog(4, 2).Select(e => e.Key));
        Assert.Empty(store.ReadLog(7, 100));
    }

    [Fact]
    public void ABatchLargerThanASegment_IsSplit_AndReadsBackWhole()
    {
        var batch = Enumerable.Range(0, (2 * ControlStateStore.SegmentEntries) + 500).Select(i => ($"k{i % 700}", (string?)$"{i}")).ToArray();
        using (var store = ControlStateStore.Open(Db))
        {
            store.Append(4, batch, 0);
            store.Append(4, [("last", "1")], 0);
        }

        using var again = ControlStateStore.Open(Db);
        var log = again.ReadLog(1, int.MaxValue);
        Assert.Equal(Enumerable.Range(1, batch.Length + 1).Select(i => (ulong)i), log.Select(e => e.Sequence));
        Assert.Equal(batch.Select(w => w.Item2), log.Take(batch.Length).Select(e => e.Value));
        Assert.Equal((ulong)batch.Length + 1, again.LastSequence);
        Assert.Equal(Convert.ToString(batch.Length - 1, System.Globalization.CultureInfo.InvariantCulture), again.Get($"k{(batch.Length - 1) % 700}")!.Value);
        var second = again.ReadLog((ulong)ControlStateStore.SegmentEntries + 1, ControlStateStore.SegmentEntries);
        Assert.Equal(((ulong)ControlStateStore.SegmentEntries + 1, 2UL * ControlStateStore.SegmentEntries), (second[0].Sequence, second[^1].Sequence));
        again.Dispose();
        using var file = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Db, Connection = LiteDB.ConnectionType.Direct, ReadOnly = true });
        Assert.Equal(4, file.GetCollection("log").Count()); // 1000 + 1000 + 500, then 1
    }

    [Fact]
    public void Segments_ReadStillEncoded_AreTheReplicationStreamsEntries_AndACatchUpInsideOneSendsItsRest()
    {
        var batch = Enumerable.Range(0, (2 * ControlStateStore.SegmentEntries) + 500).Select(i => ($"k{i}", (string?)$"{i}")).ToArray();
        using var store = ControlStateStore.Open(Db);
        store.Append(4, batch, 0);
        store.Append(4, [("small", "1")], 0);
        store.Append(4, [("small", "2")], 0);
        var buffer = new byte[1 << 20];

        var (length, last) = store.ReadSegments((ulong)ControlStateStore.SegmentEntries + 1, buffer, maxEntries: 4096);
        var (cutLength, cutLast) = store.ReadSegments(1, buffer.AsSpan(0, (64 * 1024) + 100).ToArray(), maxEntries: 4096);
        var notAStart = store.ReadSegments(5, buffer, 4096);
        var rest = store.ReadSegmentFrom(990);

        var decoded = new List<Redundancy.Core.Replication.ChangeEntry>();
        Assert.Equal(Redundancy.Core.Replication.ReplicationRefusal.None, Redundancy.Core.Replication.ReplicationMessages.TryReadEntries(buffer.AsSpan(0, length), decoded));
        Assert.Equal(store.ReadLog((ulong)ControlStateStore.SegmentEntries + 1, int.MaxValue), decoded); // three segments and two small ones
        Assert.Equal((ulong)batch.Length + 2, last);
        Assert.True(cutLength > 0 && cutLast == ControlStateStore.SegmentEntries, $"one whole segment when two do not fit ({cutLength} bytes to {cutLast})");
        Assert.Equal((0, 0UL), notAStart);
        Assert.Equal(Enumerable.Range(990, ControlStateStore.SegmentEntries - 989).Select(i => (ulong)i), rest.Select(e => e.Sequence));
        Assert.Empty(store.ReadSegmentFrom((ulong)batch.Length + 3));
    }

    [Fact]
    public void LargeValues_SplitSegmentsByBytes_BelowTheLargeObjectHeap()
    {
        var value = $"\"{new string('v', 10_000)}\"";
        using (var store = ControlStateStore.Open(Db))
        {
            store.Append(1, Enumerable.Range(0, 20).Select(i => ($"big{i}", (string?)value)).ToArray(), 0);
            Assert.Equal(20, store.ReadLog(1, 100).Count(e => e.Value == value));
        }

        using var file = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Db, Connection = LiteDB.ConnectionType.Direct, ReadOnly = true });
        var segments = file.GetCollection("log").FindAll().ToArray();
        Assert.Equal(4, segments.Length); // 6 + 6 + 6 + 2 entries of ~10 KB
        Assert.All(segments, d => Assert.True(d["entries"].AsBinary.Length <= ControlStateStore.SegmentBytes));
    }

    [Fact]
    public void ADamagedLogSegment_IsRefusedNamingTheFile_AndLeftUntouched()
    {
        using (var store = ControlStateStore.Open(Db))
        {
            store.Append(1, [("a", "1"), ("b", "2")], 0);
            store.Append(1, [("c", "3")], 0);
        }

        using (var raw = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Db, Connection = LiteDB.ConnectionType.Direct, Collation = LiteDB.Collation.Binary }))
        {
            var log = raw.GetCollection("log");
            var first = log.FindById(1L);
            first["entries"] = new byte[] { 0, 0, 0, 2, 1, 2, 3 }; // two entries promised, three bytes given
            log.Update(first);
        }

        AssertOpenRefusedNamingTheFile_AndLeftUntouched("segment 1 is damaged");
    }

    [Fact]
    public void Compaction_KeepsASegmentThatReachesPastTheBound_Whole()
    {
        using var store = ControlStateStore.Open(Db);
        store.Append(1, [("a", "1"), ("b", "2")], 0); // 1-2
        store.Append(1, [("c", "3"), ("d", "4"), ("e", "5")], 0); // 3-5

        Assert.Equal(2, store.Compact(4));

        Assert.Equal(3UL, store.FirstInLog);
        Assert.Equal([3UL, 4, 5], store.ReadLog(1, 100).Select(e => e.Sequence));
    }

    [Fact]
    public void DivergenceInsideASegment_KeepsItsHead_MovesItsTail_AndTheLogContinues()
    {
        using (var store = ControlStateStore.Open(Db))
        {
            store.Append(1, [("a", "1")], 0); // 1
            store.Apply([new ChangeEntry(1, 2, "b", "2", 0), new ChangeEntry(1, 3, "c", "3", 0), new ChangeEntry(2, 4, "a", "split", 7)]); // 2-4, one segment
            store.Apply([new ChangeEntry(2, 5, "d", "5", 8)]);

            Assert.Equal(2, store.MoveToConflicts(3, 50));

            Assert.Equal((1UL, 3UL), (store.LastEpoch, store.LastSequence));
            Assert.Equal([1UL, 2, 3], store.ReadLog(1, 100).Select(e => e.Sequence));
            Assert.Equal([4UL, 5], store.Conflicts().Select(c => c.Sequence));
            store.Apply([new ChangeEntry(3, 4, "e", "new", 9)]);
        }

        using var again = ControlStateStore.Open(Db);
        Assert.Equal((3UL, 4UL), (again.LastEpoch, again.LastSequence));
        Assert.Equal(["a", "b", "c", "e"], again.ReadLog(1, 100).Select(e => e.Key));
        Assert.Equal("new", again.ReadLog(4, 1)[0].Value);
    }

    [Fact]
    public void ALogWrittenOneDocumentPerChange_IsRefusedNamingTheFile_AndLeftUntouched()
    {
        using (var older = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = Db, Connection = LiteDB.ConnectionType.Direct, Collation = LiteDB.Collation.Binary }))
        {
            older.GetCollection("log").Insert(new LiteDB.BsonDocument { ["_id"] = 1L, ["e"] = 1L, ["k"] = "pump", ["v"] = "1", ["t"] = 0L });
        }

        AssertOpenRefusedNamingTheFile_AndLeftUntouched("layout");
    }

    [Theory]
    [InlineData("garbage-header")]
    [InlineData("garbage-pages")]
    [InlineData("truncated")]
    [InlineData("short")]
    [InlineData("empty")]
    public void CorruptFile_IsRefusedNamingIt_AndLeftByteForByteUntouched(string damage)
    {
        using (var store = ControlStateStore.Open(Db))
        {
            for (var i = 0; i < 200; i++)
            {
                store.Append(1, [($"key{i}", $"{{\"value\":\"{new string('x', 100)}\"}}")], 0);
            }
        }

        var bytes = File.ReadAllBytes(Db);
        var random = new Random(5);
        switch (damage)
        {
            case "garbage-header":
                random.NextBytes(bytes.AsSpan(0, 100));
                break;
            case "garbage-pages":
                random.NextBytes(bytes.AsSpan(8192, bytes.Length - 8192));
                break;
            case "truncated":
                bytes = bytes[..(bytes.Length - 3000)];
                break;
            case "short":
                bytes = bytes[..5000];
                break;
            case "empty":
                bytes = [];
                break;
        }

        File.WriteAllBytes(Db, bytes);
        AssertOpenRefusedNamingTheFile_AndLeftUntouched("move the file aside");
        Assert.Equal(bytes.Length, new FileInfo(Db).Length);
    }

    [Fact]
    public void WriterKilledMidStorm_LogStateAndPositionStillAgree()
    {
        var tools = AgentBinary.LocateTools();
        for (var round = 0; round < 3; round++)
        {
            var committed = 0UL;
            using (var writer = new ExternalProcess("dotnet", [tools, "store-writer", Db, "7"], line =>
            {
                if (line.StartsWith("committed ", StringComparison.Ordinal))
                {
                    Interlocked.Exchange(ref committed, ulong.Parse(line[10..], System.Globalization.CultureInfo.InvariantCulture));
                }
            }))
            {
                Assert.True(Poll.Until(() => Interlocked.Read(ref committed) > 100UL * (ulong)(round + 1), TimeSpan.FromSeconds(30)), "the writer made no progress");
                Poll.Hold(TimeSpan.FromMilliseconds(new Random(round).Next(5, 60)));
                writer.Signal(Signals.Kill);
                writer.WaitForExit(TimeSpan.FromSeconds(5));
            }

            using var store = ControlStateStore.Open(Db);
            Assert.True(store.LastSequence >= Interlocked.Read(ref committed), "a commit the writer saw is lost");
            Assert.Equal(0UL, store.LastSequence % 7); // whole batches only: a transaction is all or nothing
            var log = store.ReadLog(1, int.MaxValue);
            Assert.Equal(store.LastSequence, log[^1].Sequence);
            Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (ulong)i), log.Select(e => e.Sequence));
            var expected = log.GroupBy(e => e.Key).Select(g => g.Last()).Where(e => e.Value is not null)
                .ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal(expected.OrderBy(kv => kv.Key), store.List().Select(r => KeyValuePair.Create(r.Key, (string?)r.Value)));
        }
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Opening the database fails with an error that names the file and says <paramref name="what"/>, and the
    /// file is byte for byte what it was.</summary>
    private void AssertOpenRefusedNamingTheFile_AndLeftUntouched(string what)
    {
        var before = SHA256.HashData(File.ReadAllBytes(Db));

        var ex = Assert.Throws<StorageException>(() => ControlStateStore.Open(Db));

        Assert.Contains(Db, ex.Message);
        Assert.Contains(what, ex.Message);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(Db)));
    }
}
