namespace Redundancy.Core.Witness;

/// <summary>What the node's witness client knows, as the engine hands it to the role machine.</summary>
/// <param name="HeldUntil">Until when this node holds the lease (a timestamp; 0 or past: it does not).</param>
/// <param name="Holder">The holder the witness named in its last answer (0: none).</param>
/// <param name="LastAnswerAt">When the last authentic, fresh answer came (0: never).</param>
public readonly record struct WitnessView(long HeldUntil, byte Holder, long LastAnswerAt);
