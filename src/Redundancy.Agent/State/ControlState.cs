using System.Text.Json;
using Redundancy.Core.Replication;
using Redundancy.Core.Roles;
using Redundancy.Edges.Storage;

namespace Redundancy.Agent.State;

/// <summary>
/// The control state as a hosted control application and the control socket see it: a key-value store of small
/// JSON documents, written only on the active, readable on both nodes. Thread-safe.
/// </summary>
internal sealed class ControlState
{
    /// <summary>Longest key, in characters.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>Largest value, in bytes of JSON text.</summary>
    public const int MaxValueBytes = 64 * 1024;

    private readonly StorageWorker? _storage;
    private readonly Func<Role> _role;
    private readonly Func<byte> _peerNode;
    private readonly string _node;
    private readonly Func<ulong, Task>? _waitReplicated;

    public ControlState(StorageWorker? storage, string node, Func<Role> role, Func<byte> peerNode, Func<ulong, Task>? waitReplicated = null)
    {
        _waitReplicated = waitReplicated;
        _storage = storage;
        _node = node;
        _role = role;
        _peerNode = peerNode;
    }

    /// <summary>Sets <paramref name="key"/> to the JSON <paramref name="json"/>; completes when the write is
    /// committed (and, from the replication issue on, replicated as the mode requires).</summary>
    /// <exception cref="ControlStateException">Invalid key or value, this node is not active, or storage failed.</exception>
    public Task<ChangeEntry> SetAsync(string key, string json) => WriteAsync(key, json ?? throw new ArgumentNullException(nameof(json)));

    /// <summary>Removes <paramref name="key"/> (a tombstone in the log).</summary>
    public Task<ChangeEntry> DeleteAsync(string key) => WriteAsync(key, null);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public StateRow? Get(string key) => Storage().Store.Get(key);

    /// <summary>Every key (optionally under <paramref name="prefix"/>) with its value.</summary>
    public IReadOnlyList<StateRow> List(string? prefix) => Storage().Store.List(prefix);

    /// <summary>Changes kept for audit after a split brain.</summary>
    public IReadOnlyList<ConflictRow> Conflicts() => Storage().Store.Conflicts();

    /// <summary>Checks a key and a value; null when fine, else what is wrong.</summary>
    public static string? Problem(string key, string? json)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || key.Any(char.IsControl))
        {
            return $"key must be 1-{MaxKeyLength} printable characters";
        }

        if (json is null)
        {
            return null;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxValueBytes)
        {
            return $"value of {key} is larger than {MaxValueBytes} bytes";
        }

        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return $"value of {key} is not JSON: {ex.Message}";
        }

        return key.StartsWith(OutputValues.Prefix, StringComparison.Ordinal) ? OutputValues.Problem(json) : null;
    }

    private async Task<ChangeEntry> WriteAsync(string key, string? json)
    {
        if (Problem(key, json) is { } problem)
        {
            throw new ControlStateException(problem);
        }

        var role = _role();
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
            throw new ControlStateException(NotActiveMessage(_role()));
        }
        catch (StorageException ex)
        {
            throw new ControlStateException($"storage failed: {ex.Message}");
        }

        if (_waitReplicated is not null)
        {
            await _waitReplicated(entry.Sequence).ConfigureAwait(false);
        }

        return entry;
    }

    private string NotActiveMessage(Role role)
    {
        var peer = _peerNode();
        var where = peer == 0 ? "no active node is known" : $"write to the active node (node {peer})";
        return $"writes are refused on node {_node}: it is {role}, not Active; {where}";
    }

    private StorageWorker Storage() => _storage ?? throw new ControlStateException("the control-state database is not available on this node (Faulted)");
}

/// <summary>A control-state request was refused; the message says why.</summary>
internal sealed class ControlStateException(string message) : Exception(message);
