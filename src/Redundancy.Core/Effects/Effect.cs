namespace Redundancy.Core.Effects;

/// <summary>
/// One thing the engine must do after a decision, with its arguments: a value, so a plan allocates nothing and a
/// test compares it with <c>==</c>.
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="Output">For <see cref="EffectKind.Drive"/>: the output's index; -1 otherwise.</param>
/// <param name="Value">For <see cref="EffectKind.Drive"/>: the logical value.</param>
/// <param name="Epoch">For <see cref="EffectKind.StartTerm"/> and <see cref="EffectKind.Announce"/>: the epoch.</param>
/// <param name="Slot">For <see cref="EffectKind.Slow"/>: which registered slow handler; -1 otherwise.</param>
/// <param name="Await">For slow effects: whether the effects after it wait for its completion (bounded).</param>
/// <param name="Hold">For <see cref="EffectKind.Hold"/>: how long the rest of the plan waits.</param>
public readonly record struct Effect(EffectKind Kind, int Output = -1, bool Value = false, ulong Epoch = 0, int Slot = -1, bool Await = false, TimeSpan Hold = default)
{
    /// <summary>Whether it runs on the slow lane rather than inline on the engine thread.</summary>
    public bool IsSlow => Kind == EffectKind.Slow;

    /// <summary>Drive output <paramref name="output"/> to <paramref name="value"/>.</summary>
    public static Effect Drive(int output, bool value) => new(EffectKind.Drive, output, value);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        EffectKind.Drive => $"Drive({Output}, {Value})",
        EffectKind.StartTerm or EffectKind.Announce or EffectKind.Herald => $"{Kind}({Epoch})",
        EffectKind.Hold => $"Hold({Hold.TotalMilliseconds:F1} ms)",
        EffectKind.Slow => $"Slow({Slot}{(Await ? ", await" : string.Empty)})",
        _ => Kind.ToString(),
    };
}
