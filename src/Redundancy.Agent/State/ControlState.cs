using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Core.State;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.State;

/// <summary>
/// The control state as a hosted control application and the control socket see it: a key-value store of small
/// JSON documents, written only on the active, readable on both nodes. Thread-safe.
/// </summary>
internal sealed class ControlState
{
    /// <summary>Longest key, in UTF-8 bytes (the one rule: <see cref="ControlStateRules"/>).</summary>
    public const int MaxKeyBytes = ControlStateRules.MaxKeyBytes;

    /// <summary>Largest value, in UTF-8 bytes of JSON text.</summary>
    public const int MaxValueBytes = ControlStateRules.MaxValueBytes;

    private readonly StorageWorker? _storage;
    private readonly Engine.EngineView _view;
    private readonly string _node;
    private readonly Func<ulong, Task>? _waitReplicated;

    public ControlState(StorageWorker? storage, string node, Engine.EngineView view, Func<ulong, Task>? waitReplicated = null)
    {
        _waitReplicated = waitReplicated;
        _storage = storage;
        _node = node;
        _view = view;
    }

    /// <summary>Sets <paramref name="key"/> to the JSON <paramref name="json"/>; completes when the write is
    /// committed (and, from the replication issue on, replicated as the mode requires).</summary>
    /// <exception cref="ControlStateException">Invalid key or value, this node is not active, or storage failed.</exception>
    public Task<ChangeEntry> SetAsync(string key, string json) => WriteAsync(key, json ?? throw new ArgumentNullException(nameof(json)));

    /// <summary>Removes <paramref name="key"/> (a tombstone in the log).</summary>
    public Task<ChangeEntry> DeleteAsync(string key) => WriteAsync(key, null);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    /// <exception cref="ControlStateException">The key is invalid, or the database cannot be read.</exception>
    public StateRow? Get(string key)
    {
        if (ControlStateRules.KeyProblem(key) is { } problem)
        {
            throw new ControlStateException(problem);
        }

        return Read(() => Storage().Store.Get(key));
    }

    /// <summary>Every key (optionally under <paramref name="prefix"/>) with its value.</summary>
    public IReadOnlyList<StateRow> List(string? prefix) => Read(() => Storage().Store.List(prefix));

    /// <summary>Changes kept for audit after a split brain.</summary>
    public IReadOnlyList<ConflictRow> Conflicts() => Read(() => Storage().Store.Conflicts());

    /// <summary>Checks a key and a value; null when fine, else what is wrong.</summary>
    public static string? Problem(string key, string? json) =>
        ControlStateRules.WriteProblem(key, json) is { } problem ? problem
        : json is not null && key.StartsWith(OutputValues.Prefix, StringComparison.Ordinal) ? OutputValues.Problem(json)
        : null;

    private async Task<ChangeEntry> WriteAsync(string key, string? json)
    {
        if (Problem(key, json) is { } problem)
        {
            throw new ControlStateException(problem);
        }

        var role = _view.Role;
        if (role != Role.Active)
        {
            throw new ControlStateException(NotActiveMessage(role));
        }

        ChangeEntry entry;
        try
        {
            entry = await Storage().Write(key, json).ConfigureAwait(false);
        }
        catch (NotActiveException)
        {
            throw new ControlStateException(NotActiveMessage(_view.Role));
        }
        catch (WriteRefusedException ex)
        {
            throw new ControlStateException(ex.Message);
        }
        catch (WriteOutcomeUnknownException ex)
        {
            throw new ControlStateException(ex.Message);
        }
        catch (StorageException ex)
        {
            throw new ControlStateException($"storage failed, the change was not written: {ex.Message}");
        }

        if (_waitReplicated is not null)
        {
            try
            {
                await _waitReplicated(entry.Sequence).ConfigureAwait(false);
            }
            catch (WriteOutcomeUnknownException ex)
            {
                throw new ControlStateException(ex.Message);
            }
        }

        return entry;
    }

    private string NotActiveMessage(Role role)
    {
        var peer = _view.ActivePeer;
        var where = peer == 0 ? "no active node is known" : $"write to the active node (node {peer})";
        return $"writes are refused on node {_node}: it is {role}, not Active; {where}";
    }

    // Reads answer on every node, a Faulted one included: the database may be reopening (disposed under the
    // reader) or broken; either way the caller gets a clear error rather than an exception from LiteDB.
    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not (ControlStateException or OutOfMemoryException))
        {
            throw new ControlStateException($"the control-state database cannot be read right now ({ex.GetType().Name}: {ex.Message}); try again");
        }
    }

    private StorageWorker Storage() => _storage ?? throw new ControlStateException("the control-state database is not available on this node (Faulted)");
}

/// <summary>A control-state request was refused; the message says why.</summary>
internal sealed class ControlStateException(string message) : Exception(message);
