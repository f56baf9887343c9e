namespace Redundancy.Core.Heartbeat;

/// <summary>Receives what a <see cref="SerialDeframer"/> finds in the byte stream.</summary>
public interface IFrameSink
{
    /// <summary>A frame whose CRC matched. The span is valid only during the call.</summary>
    void OnFrame(ReadOnlySpan<byte> payload);

    /// <summary>A frame that had to be dropped (bad COBS, bad CRC, too long).</summary>
    void OnFramingError(DropReason reason);

    /// <summary>
    /// The link's receiving thread starts (true) or ends (false) recovering from a fault: reopening a device,
    /// handling an error. That work allocates (exceptions, messages), so a real-time thread should run it at
    /// normal priority (a collection it triggers would otherwise spin at real-time priority).
    /// </summary>
    void OnRecovering(bool recovering)
    {
    }
}
