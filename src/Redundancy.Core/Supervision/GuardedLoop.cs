namespace Redundancy.Core.Supervision;

/// <summary>
/// Runs a background loop so that no single exception ends it: a failure is reported (log, alarm) and the loop is
/// started again after a delay, until it returns or is cancelled. The one mechanism every long-running loop of the
/// agent uses (replication tick, accept and client loops), instead of a catch list per loop that forgets a type.
/// </summary>
public static class GuardedLoop
{
    /// <summary>
    /// Runs <paramref name="body"/> until it returns or <paramref name="cancellationToken"/> is cancelled. When it throws
    /// (anything but a cancellation of that token), <paramref name="failed"/> is called with the exception and
    /// <paramref name="restartDelay"/>, and the body runs again after that delay on <paramref name="time"/>.
    /// </summary>
    public static async Task RunAsync(Func<CancellationToken, Task> body, Action<Exception, TimeSpan> failed, TimeSpan restartDelay, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(failed);
        ArgumentNullException.ThrowIfNull(time);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await body(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                try
                {
                    failed(ex, restartDelay);
                }
                catch (Exception reportFailure) when (reportFailure is not OutOfMemoryException)
                {
                    // a reporter that throws must not end the loop it reports on
                }
            }

            try
            {
                await Task.Delay(restartDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
