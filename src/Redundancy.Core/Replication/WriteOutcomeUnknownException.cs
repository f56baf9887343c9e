namespace Redundancy.Core.Replication;

/// <summary>A write may or may not have been written, or replicated: the message says why, and how to learn the outcome.</summary>
public sealed class WriteOutcomeUnknownException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WriteOutcomeUnknownException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public WriteOutcomeUnknownException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
