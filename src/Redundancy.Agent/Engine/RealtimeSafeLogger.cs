using Microsoft.Extensions.Logging;

namespace Redundancy.Agent.Engine;

/// <summary>
/// The engine's logger: every event is written at normal priority. Formatting an event allocates, and a garbage
/// collection that allocation triggers would otherwise run on a real-time thread and spin there waiting for
/// normal threads it keeps off the CPU (see <see cref="AllocationProbe"/>). Events are rare (role changes,
/// alarms, a status line a minute), so the two scheduler calls around each cost nothing that matters.
/// </summary>
internal sealed class RealtimeSafeLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        using (RealtimeThread.Relax())
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
