namespace Redundancy.Core.Outputs;

/// <summary>What a channel shows when this node takes over.</summary>
public enum TakeoverPolicy
{
    /// <summary>Drive the last known (mirrored) value: bumpless.</summary>
    Resume,

    /// <summary>Drive the channel's safe value.</summary>
    Safe,
}
