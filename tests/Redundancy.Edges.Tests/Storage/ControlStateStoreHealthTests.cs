using System.Diagnostics;
using Redundancy.Core.Replication;
using Redundancy.Edges.Storage;

namespace Redundancy.Edges.Tests.Storage;

/// <summary>The store on a disk that fills (a real tmpfs), its resync flag across reopening, and retention in bytes.</summary>
public sealed class ControlStateStoreHealthTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Db => _dir.File("state.db");

    [Fact]
    public void FullDisk_CommitThrows_ReadOnlyReopenStillReads_ReopenAfterFreeingWrites()
    {
        var mount = _dir.File("disk");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount);
        try
        {
            var db = Path.Combine(mount, "state.db");
            var store = ControlStateStore.Open(db);
            store.Append(1, [("kept", "1")], 0);
            FillUp(Path.Combine(mount, "filler"));

            var big = "\"" + new string('x', 60 * 1024) + "\"";
            var failure = Record.Exception(() =>
            {
                for (var i = 0; i < 100; i++)
                {
                    store.Append(1, [($"k{i}", big)], 0);
                }
            });
            Assert.NotNull(failure);
            try
            {
                store.Dispose();
            }
            catch (Exception ex) when (ex is IOException or LiteDB.LiteException)
            {
                // a database that failed may fail to close
            }

            using (var readOnly = ControlStateStore.OpenReadOnly(db))
            {
                Assert.Equal("1", readOnly.Get("kept")?.Value);
            }

            File.Delete(Path.Combine(mount, "filler"));
            using var again = ControlStateStore.Open(db);
            again.Probe(0);
            again.Append(1, [("after", "2")], 0);
            Assert.Equal("1", again.Get("kept")?.Value);
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    [Fact]
    public void MoveToConflicts_NeedsSnapshotSurvivesReopening_UntilASnapshotIsInstalled()
    {
        using (var store = ControlStateStore.Open(Db))
        {
            store.Append(1, [("a", "1")], 0);
            store.Append(2, [("outputs/pump1", "true")], 0);
            Assert.False(store.NeedsSnapshot);
            store.MoveToConflicts(1, 0);
            Assert.True(store.NeedsSnapshot);
        }

        using (var reopened = ControlStateStore.Open(Db))
        {
            Assert.True(reopened.NeedsSnapshot);
            reopened.InstallSnapshot(1, 1, [new EpochStart(1, 1)], [new ChangeEntry(1, 1, "a", "1", 0)]);
            Assert.False(reopened.NeedsSnapshot);
        }

        using var last = ControlStateStore.Open(Db);
        Assert.False(last.NeedsSnapshot);
        Assert.Null(last.Get("outputs/pump1"));
    }

    [Fact]
    public void LogOverTheByteBound_CompactsToTheNewestEntriesThatFit()
    {
        using var store = ControlStateStore.Open(Db);
        var value = "\"" + new string('v', 10 * 1024) + "\"";
        for (var i = 0; i < 100; i++)
        {
            store.Append(1, [($"k{i}", value)], 0); // one segment each
        }

        var bound = store.ByteRetentionBound(200 * 1024);
        store.Compact(bound);

        Assert.InRange(store.LogBytes, 150 * 1024, 200 * 1024);
        Assert.Equal(bound + 1, store.FirstInLog);
        Assert.Equal(100UL, store.LastSequence);
        Assert.Equal(0UL, store.ByteRetentionBound(200 * 1024));
    }

    [Fact]
    public void KeyOverTheLimitInBytes_IsRefusedBeforeAnythingIsWritten()
    {
        using var store = ControlStateStore.Open(Db);

        var refused = Assert.Throws<ArgumentException>(() => store.Append(1, [("ok", "1"), (new string('é', 200), "1")], 0));

        Assert.Contains("256 UTF-8 bytes", refused.Message);
        Assert.Equal(0UL, store.LastSequence);
        Assert.Null(store.Get("ok"));
    }

    public void Dispose() => _dir.Dispose();

    private static void FillUp(string path)
    {
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                f.Write(chunk);
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}");
    }
}
