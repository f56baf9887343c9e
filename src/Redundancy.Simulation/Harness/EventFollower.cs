using System.Diagnostics;
using System.Net.Sockets;
using Redundancy.Protocol.Events;

namespace Redundancy.Simulation.Harness;

/// <summary>
/// Follows one agent's event stream through its control socket, as a control application would: one connection
/// (connected with retry while the agent starts, again if it drops while the process lives) long-polling
/// <c>events</c> after the newest number held. Keeps every event with the time the harness received it. Runs on a
/// thread of its own until the process exits or it is disposed; never throws into a test.
/// </summary>
public sealed class EventFollower : IDisposable
{
    /// <summary>How long each long-poll waits for a new event.</summary>
    public const int WaitMs = 500;

    /// <summary>An answer later than this (the agent stopped by SIGSTOP, say) ends the connection; it is made again.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private readonly string _socket;
    private readonly Func<bool> _alive;
    private readonly object _gate = new();
    private readonly List<ReceivedEvent> _events = [];
    private readonly Thread _thread;
    private ControlClient? _client;
    private long _next;
    private long _missed;
    private int _connections;
    private string? _lastError;
    private volatile bool _stopping;
    private bool _ended;

    /// <summary>Starts following the agent at <paramref name="socket"/> while <paramref name="alive"/> says its process lives.</summary>
    public EventFollower(string socket, Func<bool> alive)
    {
        _socket = socket;
        _alive = alive;
        _thread = new Thread(Run) { IsBackground = true, Name = $"events {Path.GetFileName(socket)}" };
        _thread.Start();
    }

    /// <summary>Every event received so far, oldest first.</summary>
    public IReadOnlyList<ReceivedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>Events the agent dropped from its ring before the follower read them (0 when it saw every one).</summary>
    public long Missed => Interlocked.Read(ref _missed);

    /// <summary>Connections made so far (1 unless one dropped while the process lived).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Why the last connection ended, or null.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Whether it stopped (the process exited, or disposed): no more events will come.</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>The first event received at or after <paramref name="since"/> that matches, waiting up to
    /// <paramref name="timeout"/> for it; null when none came (or the follower ended first).</summary>
    public ReceivedEvent? WaitFor(Func<ReceivedEvent, bool> match, TimeSpan timeout, long since = 0)
    {
        var sw = Stopwatch.StartNew();
        var scanned = 0;
        lock (_gate)
        {
            while (true)
            {
                for (; scanned < _events.Count; scanned++)
                {
                    var e = _events[scanned];
                    if (e.T >= since && match(e))
                    {
                        return e;
                    }
                }

                var left = timeout - sw.Elapsed;
                if (left <= TimeSpan.Zero || _ended)
                {
                    return null;
                }

                Monitor.Wait(_gate, left);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping = true;
        Interlocked.Exchange(ref _client, null)?.Dispose(); // ends a read in progress
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }
    }

    private void Run()
    {
        try
        {
            while (!_stopping && _alive())
            {
                var client = Volatile.Read(ref _client) ?? Connect();
                if (client is null)
                {
                    Thread.Sleep(20);
                    continue;
                }

                try
                {
                    var page = client.Events(_next, waitMs: WaitMs);
                    var t = Stopwatch.GetTimestamp();
                    if (page.Missed > 0)
                    {
                        Interlocked.Add(ref _missed, page.Missed);
                    }

                    if (page.Events is { Count: > 0 } events)
                    {
                        lock (_gate)
                        {
                            _events.AddRange(events.Select(e => new ReceivedEvent(e, t)));
                            Monitor.PulseAll(_gate);
                        }
                    }

                    _next = Math.Max(_next, page.Next);
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or ControlRefusedException or InvalidOperationException or System.Text.Json.JsonException)
                {
                    // The agent died, stopped answering or was restarted: connect again while its process lives.
                    Volatile.Write(ref _lastError, $"{ex.GetType().Name}: {ex.Message}");
                    if (Interlocked.CompareExchange(ref _client, null, client) == client)
                    {
                        client.Dispose();
                    }

                    Thread.Sleep(20);
                }
            }
        }
        catch (Exception ex)
        {
            // Never into a test (a background thread's exception ends the whole run): keep it for the diagnostics.
            Volatile.Write(ref _lastError, $"follower failed: {ex}");
        }
        finally
        {
            Interlocked.Exchange(ref _client, null)?.Dispose();
            lock (_gate)
            {
                _ended = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private ControlClient? Connect()
    {
        try
        {
            var client = new ControlClient(_socket, AnswerTimeout);
            if (_stopping || Interlocked.CompareExchange(ref _client, client, null) is not null)
            {
                client.Dispose();
                return null;
            }

            Interlocked.Increment(ref _connections);
            return client;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return null; // not listening yet (or any more)
        }
    }

    /// <summary>The events, for a failure message.</summary>
    public override string ToString() =>
        $"{Events.Count} event(s) followed over {Connections} connection(s), {Missed} missed{(LastError is { } e ? $", last error {e}" : string.Empty)}";

    /// <summary>Every followed event of <paramref name="kind"/>.</summary>
    public IReadOnlyList<NodeEvent> OfKind(NodeEventKind kind) => Events.Where(e => e.Event.Kind == kind).Select(e => e.Event).ToArray();
}
