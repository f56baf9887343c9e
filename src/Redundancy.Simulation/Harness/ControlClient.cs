using System.Net.Sockets;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Status;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// A client of an agent's control socket through the shared protocol types: one request line out, one answer line in,
/// each answer read as its op's type. Not thread-safe (one request at a time, as the protocol is).
/// </summary>
public sealed class ControlClient : IDisposable
{
    /// <summary>How long an answer may take by default: past the longest events wait (30 s) with room to spare.</summary>
    public static readonly TimeSpan DefaultAnswerTimeout = ControlConnection.DefaultAnswerTimeout;

    private readonly ControlConnection _connection;

    /// <summary>Connects to the socket at <paramref name="path"/>; an answer that takes longer than
    /// <paramref name="answerTimeout"/> (default <see cref="DefaultAnswerTimeout"/>) fails with an <see cref="IOException"/>.</summary>
    public ControlClient(string path, TimeSpan? answerTimeout = null) => _connection = new ControlConnection(path, answerTimeout);

    /// <summary>Connects, retrying while the agent is still starting.</summary>
    public static ControlClient Connect(string path, TimeSpan timeout)
    {
        ControlClient? client = null;
        Poll.Until(() =>
        {
            try
            {
                client = new ControlClient(path);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, timeout, everyMs: 20);
        return client ?? throw new TimeoutException($"control socket {path} did not accept a connection");
    }

    /// <summary>Sends <paramref name="request"/> and reads the answer as <typeparamref name="T"/> (the answer type of its op).</summary>
    public T Send<T>(ControlRequest request)
        where T : ControlResponse
    {
        return _connection.Send<T>(request);
    }

    /// <summary>Sends one raw request line (which may be a request the protocol types could not produce: the bad-input
    /// tests) and reads the answer's ok, v and error.</summary>
    public ControlResponse SendLine(string line)
    {
        return _connection.SendLine(line);
    }

    /// <summary>Sets <paramref name="key"/> to the JSON <paramref name="jsonValue"/>.</summary>
    public WriteResponse Set(string key, string jsonValue) => Send<WriteResponse>(new SetRequest(key, ControlProtocol.Value(jsonValue)));

    /// <summary>Deletes <paramref name="key"/>.</summary>
    public WriteResponse Delete(string key) => Send<WriteResponse>(new DeleteRequest(key));

    /// <summary>Reads <paramref name="key"/>.</summary>
    public GetResponse Get(string key) => Send<GetResponse>(new GetRequest(key));

    /// <summary>Lists every key (or those starting with <paramref name="prefix"/>).</summary>
    public ListResponse List(string? prefix = null) => Send<ListResponse>(new ListRequest(prefix));

    /// <summary>Changes kept for audit after a split brain.</summary>
    public ConflictsResponse Conflicts() => Send<ConflictsResponse>(new ConflictsRequest());

    /// <summary>Every key and value as compact JSON text, sorted: for comparing two nodes' states.</summary>
    public IReadOnlyList<(string Key, string Value)> State() =>
        Ok(List()).Items!.Select(i => (i.Key, i.Value is { } v ? ControlProtocol.JsonText(v) : "null")).OrderBy(kv => kv.Item1, StringComparer.Ordinal).ToArray();

    /// <summary>The node's status; <see cref="ControlRefusedException"/> when the agent answers with an error.</summary>
    public NodeStatus Status() => Ok(Send<StatusResponse>(new StatusRequest())).Status!;

    /// <summary>The node's runtime figures; <see cref="ControlRefusedException"/> when the agent answers with an error.</summary>
    public NodeDiagnostics Diagnostics() => Ok(Send<DiagnosticsResponse>(new DiagnosticsRequest())).Diagnostics!;

    /// <summary>The retained events after <paramref name="since"/> (see <see cref="EventsRequest"/>);
    /// <see cref="ControlRefusedException"/> when the agent answers with an error.</summary>
    public EventsResponse Events(long since = 0, int? max = null, int? waitMs = null) => Ok(Send<EventsResponse>(new EventsRequest(since, max, waitMs)));

    /// <inheritdoc />
    public void Dispose()
    {
        _connection.Dispose();
    }

    private static T Ok<T>(T answer)
        where T : ControlResponse =>
        answer.Ok ? answer : throw new ControlRefusedException(answer.Error ?? "the agent answered ok:false without an error");
}
