using System.Reflection;
using System.Runtime.InteropServices;
using LiteDB;
using Microsoft.Win32.SafeHandles;

namespace Redundancy.Edges.Storage;

/// <summary>
/// Makes every LiteDB commit durable when <see cref="LiteDatabase.Commit"/> has returned, with one flush per
/// commit instead of one per page.
/// </summary>
/// <remarks>
/// <para>LiteDB 5.0.20 hands a commit's pages to a writer queue (<c>DiskWriterQueue</c>) and returns without
/// waiting for it. When the writer is idle it runs inline on the committing thread and fsyncs the log file
/// each time its queue runs empty, which is after every page (four to five fsyncs per small commit, 1.5 ms here);
/// when it happens to run on another thread, the commit returns before its pages are even written, and a crash
/// then loses a change that was reported as committed.</para>
/// <para>So the queue's stream is wrapped in one whose flush does not reach the disk, and after each commit the
/// store waits until the queue is empty and calls <c>fdatasync</c> once on the log file. A small commit costs
/// 0.5 ms instead of 1.5 ms, and it is durable when <see cref="Durable"/> returns.</para>
/// <para>This reaches into LiteDB's internals, so it checks every member it needs when the database opens and
/// refuses to run with a LiteDB that lacks them; the version is pinned in Directory.Packages.props.</para>
/// </remarks>
internal sealed partial class LiteDbCommitPath : IDisposable
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
    private static readonly TimeSpan FailureCheck = TimeSpan.FromMilliseconds(50);
    private readonly ManualResetEventSlim _queueIsEmpty;
    private readonly Func<Exception?> _writerFailure;
    private readonly SafeFileHandle _log;

    private LiteDbCommitPath(ManualResetEventSlim queueIsEmpty, Func<Exception?> writerFailure, SafeFileHandle log)
    {
        _queueIsEmpty = queueIsEmpty;
        _writerFailure = writerFailure;
        _log = log;
    }

    /// <summary>Takes over the commit path of <paramref name="db"/>, a read-write database at <paramref name="dataFile"/>.</summary>
    /// <exception cref="NotSupportedException">The LiteDB in use is not built the way this code expects.</exception>
    public static LiteDbCommitPath Attach(LiteDatabase db, string dataFile)
    {
        var engine = Field(db, "_engine");
        var disk = Field(engine, "_disk");
        var lazyQueue = Property(disk, "Queue");
        var queue = Property(lazyQueue, "Value"); // opens the log file for writing, as the first commit would
        var streamField = queue.GetType().GetField("_stream", Instance) ?? throw Unexpected("DiskWriterQueue._stream");
        // Not DiskWriterQueue.Wait(): when the writer fails (a full disk) it records the exception and never sets
        // "queue is empty", so Wait() blocks the committing thread for ever. The commit waits on the event itself and
        // looks at the recorded failure while it waits.
        if (queue.GetType().GetField("_queueIsEmpty", Instance)?.GetValue(queue) is not ManualResetEventSlim queueIsEmpty)
        {
            throw Unexpected("DiskWriterQueue._queueIsEmpty as a ManualResetEventSlim");
        }

        var failureField = queue.GetType().GetField("_exception", Instance);
        if (failureField is null || failureField.FieldType != typeof(Exception))
        {
            throw Unexpected("DiskWriterQueue._exception");
        }

        if (streamField.GetValue(queue) is not Stream inner)
        {
            throw Unexpected("DiskWriterQueue._stream as a Stream");
        }

        var logFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(dataFile)!, System.IO.Path.GetFileNameWithoutExtension(dataFile) + "-log" + System.IO.Path.GetExtension(dataFile));
        var handle = File.OpenHandle(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        streamField.SetValue(queue, inner as DeferredFlushStream ?? new DeferredFlushStream(inner));
        return new LiteDbCommitPath(queueIsEmpty, () => (Exception?)failureField.GetValue(queue), handle);
    }

    /// <summary>Returns once every page committed so far is on disk.</summary>
    /// <exception cref="IOException">A write or the flush failed: the commit must be treated as lost and the node stopped.</exception>
    public void Durable()
    {
        while (!_queueIsEmpty.Wait(FailureCheck))
        {
            ThrowIfWriterFailed();
        }

        ThrowIfWriterFailed();
        if (FlushData(_log) != 0)
        {
            throw new IOException($"fdatasync of the LiteDB log file failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _log.Dispose();

    /// <summary>
    /// After a failure: when LiteDB's writer has failed, sets its "queue is empty" event, which it never sets then, so
    /// that LiteDB's own waits (at dispose, at a checkpoint) end instead of blocking for ever.
    /// </summary>
    public void ReleaseWaiters()
    {
        if (_writerFailure() is not null)
        {
            _queueIsEmpty.Set();
        }
    }

    private void ThrowIfWriterFailed()
    {
        if (_writerFailure() is { } failure)
        {
            throw new IOException($"LiteDB's writer failed, so the commit is not on disk: {failure.Message}", failure);
        }
    }

    private static object Field(object target, string name) =>
        target.GetType().GetField(name, Instance)?.GetValue(target) ?? throw Unexpected($"{target.GetType().Name}.{name}");

    private static object Property(object target, string name) =>
        target.GetType().GetProperty(name, Instance)?.GetValue(target) ?? throw Unexpected($"{target.GetType().Name}.{name}");

    private static NotSupportedException Unexpected(string member) =>
        new($"this LiteDB ({typeof(LiteDatabase).Assembly.GetName().Version}) has no {member}; the commit path is written for LiteDB 5.0.20");

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FlushData(SafeFileHandle fd);

    /// <summary>The writer queue's stream: writes go to the file at once, flushes stop at the kernel.</summary>
    private sealed class DeferredFlushStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush(); // FileStream.Flush() empties .NET's buffer, no fsync

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
