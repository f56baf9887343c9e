using Redundancy.Agent.Status;
using Redundancy.Core.Configuration;
using Redundancy.Edges.Address;

namespace Redundancy.Agent.Address;

/// <summary>
/// The pair's system IP on this node: added with gratuitous ARP when it takes over, removed when it steps down or
/// starts, announced again after a heal. Called only from the slow lane, one call at a time, in the engine's order;
/// every call is bounded by the lane's token. The gratuitous ARPs after the first go on in the background (the lane's
/// bound is one peer timeout, shorter than a few spaced ARPs) and a removal cancels them first, so a node never
/// announces an address it no longer holds. A failure raises the <c>SystemIp</c> alarm naming what failed (and is
/// thrown, for the lane to report); the next success clears it.
/// </summary>
internal sealed class SystemIp
{
    private const string Alarm = "SystemIp";
    private readonly SystemIpOptions _options;
    private readonly NodeEvents _events;
    private readonly TimeProvider _time;
    private readonly string _subject;
    private CancellationTokenSource? _announcing;
    private NetInterface? _nic;

    public SystemIp(SystemIpOptions options, NodeEvents events, TimeProvider time)
    {
        _options = options;
        _events = events;
        _time = time;
        _subject = $"system ip {options.Cidr} on {options.Interface}";
    }

    /// <summary>How long one step may take on the slow lane (<c>systemIp.timeoutMs</c>).</summary>
    public TimeSpan Bound => _options.Timeout;

    /// <summary>What it is, for names and errors.</summary>
    public string Subject => _subject;

    /// <summary>The background announcement now going, or a finished task (for tests and the stop).</summary>
    public Task Announcing { get; private set; } = Task.CompletedTask;

    /// <summary>Adds the address and announces it.</summary>
    public Task AddAsync(CancellationToken cancellationToken) => Guard("add", () => WithInterface(async nic =>
    {
        await NetlinkAddresses.AddAsync(nic.Index, _options.Address, _options.PrefixLength, cancellationToken).ConfigureAwait(false);
        await AnnounceFrom(nic, cancellationToken).ConfigureAwait(false);
    }));

    /// <summary>Removes the address (not there is no error: a standby's start, a step-down after a failed add).</summary>
    public Task RemoveAsync(CancellationToken cancellationToken) => Guard("remove", async () =>
    {
        StopAnnouncing();
        try
        {
            await WithInterface(nic => NetlinkAddresses.RemoveAsync(nic.Index, _options.Address, _options.PrefixLength, cancellationToken)).ConfigureAwait(false);
        }
        catch (IOException) when (!Exists(_options.Interface))
        {
            // no interface, no address on it
        }
    });

    /// <summary>Announces the address again (after a heal), adding it first if it went missing.</summary>
    public Task AnnounceAgainAsync(CancellationToken cancellationToken) => AddAsync(cancellationToken);

    // The interface's index and MAC are looked up once (the interface list is the slow part of a takeover's add) and
    // again when a step fails with them: an interface made anew has a new index.
    private async Task WithInterface(Func<NetInterface, Task> step)
    {
        StopAnnouncing();
        if (_nic is { } known)
        {
            try
            {
                await step(known).ConfigureAwait(false);
                return;
            }
            catch (IOException)
            {
                _nic = null;
            }
        }

        var nic = NetInterface.Find(_options.Interface);
        await step(nic).ConfigureAwait(false);
        _nic = nic;
    }

    private static bool Exists(string name) => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == name);

    // The first ARP within the lane's bound, so the lane knows the address was announced; the rest in the background.
    private async Task AnnounceFrom(NetInterface nic, CancellationToken cancellationToken)
    {
        await GratuitousArp.SendAsync(nic, _options.Address, 1, TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
        if (_options.ArpCount <= 1)
        {
            return;
        }

        var announcing = new CancellationTokenSource();
        _announcing = announcing;
        Announcing = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(_options.ArpInterval, _time, announcing.Token).ConfigureAwait(false);
                await GratuitousArp.SendAsync(nic, _options.Address, _options.ArpCount - 1, _options.ArpInterval, _time, announcing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (announcing.IsCancellationRequested)
            {
                // a removal (or a newer add) came
            }
            catch (IOException ex)
            {
                _events.Raise(Alarm, _subject, $"{_subject}: announcing failed: {ex.Message}");
            }
        }, CancellationToken.None);
    }

    private void StopAnnouncing()
    {
        // Cancelled, not awaited: a send in flight is one frame, and the next call's first step is its own.
        _announcing?.Cancel();
        _announcing = null;
    }

    private async Task Guard(string what, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
            _events.Clear(Alarm, _subject, $"{_subject}: {what} done");
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            var why = ex is OperationCanceledException ? "did not finish within its bound" : ex.Message;
            _events.Raise(Alarm, _subject, $"{_subject}: {what} failed: {why}");
            throw new IOException($"{what} failed: {why}", ex);
        }
    }
}
