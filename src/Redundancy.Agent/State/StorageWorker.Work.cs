using Redundancy.Core.Replication;

namespace Redundancy.Agent.State;

/// <summary>The storage thread's work items, and the errors a write can end with.</summary>
internal sealed partial class StorageWorker
{
    private abstract class Work
    {
        public abstract void Fail(Exception error);
    }

    private sealed class WriteRequest(string key, string? value) : Work
    {
        public string Key { get; } = key;

        public string? Value { get; } = value;

        public TaskCompletionSource<ChangeEntry> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    private sealed class Control(Action action) : Work
    {
        public Action Action { get; } = action;

        public bool Watched { get; init; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception error) => Done.TrySetException(error);
    }
}

/// <summary>A write reached a node that is not active.</summary>
internal sealed class NotActiveException() : InvalidOperationException("this node is not active");

/// <summary>A write was refused before anything was written: the message says what is wrong with it.</summary>
internal sealed class WriteRefusedException(string message) : Exception(message);
