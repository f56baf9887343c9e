namespace Redundancy.Simulation.Harness;

/// <summary>The agent answered a request with <c>"ok":false</c>; the message is its error.</summary>
public sealed class ControlRefusedException : Exception
{
    /// <summary>An answer with <paramref name="message"/> as its error.</summary>
    public ControlRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>An answer with no error given.</summary>
    public ControlRefusedException()
        : base("the agent refused the request")
    {
    }

    /// <summary>For completeness with the usual exception shape.</summary>
    public ControlRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
