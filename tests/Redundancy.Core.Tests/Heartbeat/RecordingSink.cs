using Redundancy.Core.Heartbeat;

namespace Redundancy.Core.Tests.Heartbeat;

/// <summary>Records what a <see cref="SerialDeframer"/> reports, in order.</summary>
internal sealed class RecordingSink : IFrameSink
{
    public List<byte[]> Frames { get; } = [];

    public List<DropReason> Errors { get; } = [];

    /// <summary>Frames and errors in the order they were reported.</summary>
    public List<string> Events { get; } = [];

    public void OnFrame(ReadOnlySpan<byte> payload)
    {
        Frames.Add(payload.ToArray());
        Events.Add("frame " + Convert.ToHexString(payload));
    }

    public void OnFramingError(DropReason reason)
    {
        Errors.Add(reason);
        Events.Add("error " + reason);
    }
}
