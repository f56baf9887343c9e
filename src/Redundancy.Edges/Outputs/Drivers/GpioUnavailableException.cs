namespace Redundancy.Edges.Outputs.Drivers;

/// <summary>
/// The configured GPIO cannot be driven (library missing, chip not found, I2C bus absent). The message names what is
/// wrong and what to install or configure; the agent starts Faulted with it rather than fall back to pins that are
/// not the field's.
/// </summary>
public sealed class GpioUnavailableException : IOException
{
    /// <summary>Creates the exception with its message.</summary>
    public GpioUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public GpioUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GpioUnavailableException()
    {
    }
}
