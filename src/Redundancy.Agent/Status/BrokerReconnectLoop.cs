using Redundancy.Edges.Mqtt;

namespace Redundancy.Agent.Status;

/// <summary>
/// One broker connection after another until stopped, for each of the agent's MQTT connections (status, Sparkplug):
/// open, connect within a bound, serve until the connection fails, then wait an exponential backoff with jitter.
/// MQTTnet 5 has no managed client; this is the one reconnect rule.
/// </summary>
internal static class BrokerReconnectLoop
{
    /// <summary>Longest a connect (and the subscriptions made with it) may take.</summary>
    public static readonly TimeSpan ConnectBound = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Runs until <paramref name="stop"/>: <paramref name="open"/> makes a connection (disposing the last),
    /// <paramref name="connect"/> connects it (bounded by <see cref="ConnectBound"/>), <paramref name="serve"/> uses it
    /// until it fails; <paramref name="lost"/> hears every failure a broker can cause.</summary>
    public static async Task RunAsync(
        Func<Task<MqttBrokerConnection>> open,
        Func<MqttBrokerConnection, CancellationToken, Task> connect,
        Func<MqttBrokerConnection, CancellationToken, Task> serve,
        Action<Exception> lost,
        TimeProvider time,
        CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var connection = await open().ConfigureAwait(false);
            try
            {
                using (var bound = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    bound.CancelAfter(ConnectBound);
                    await connect(connection, bound.Token).ConfigureAwait(false);
                }

                failures = 0;
                await serve(connection, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is MqttConnectException or IOException or TimeoutException or OperationCanceledException
                                           or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                lost(ex);
            }

            failures++;
            await Task.Delay(Backoff(failures), time, stop).ConfigureAwait(false);
        }
    }

    /// <summary>0.5 s, doubling to 10 s, each within ±25 % so that a fleet does not reconnect in step.</summary>
    private static TimeSpan Backoff(int failures)
    {
        var ms = Math.Min(LastBackoff.TotalMilliseconds, FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 10)));
        return TimeSpan.FromMilliseconds(ms * (0.75 + (Random.Shared.NextDouble() * 0.5)));
    }
}
