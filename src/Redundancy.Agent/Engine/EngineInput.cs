namespace Redundancy.Agent.Engine;

/// <summary>What kind of input the engine takes (frames travel apart, as <see cref="InboundFrame"/>).</summary>
internal enum EngineInputKind : byte
{
    /// <summary>A command with a reply (<see cref="EngineInput.Command"/>).</summary>
    Command,

    /// <summary>A part of this node cannot serve (storage failed): <see cref="EngineInput.Source"/> and <see cref="EngineInput.Text"/>.</summary>
    LocalFault,

    /// <summary>A part that failed works again: <see cref="EngineInput.Source"/> and <see cref="EngineInput.Text"/>.</summary>
    FaultCleared,

    /// <summary>A slow check's verdict (the commit bound today; a witness next): <see cref="EngineInput.Check"/> (the
    /// alarm it raises), <see cref="EngineInput.Source"/>, <see cref="EngineInput.Flag"/> (true: the check fails) and
    /// <see cref="EngineInput.Text"/>.</summary>
    Verdict,

    /// <summary>The witness client's newest knowledge: <see cref="EngineInput.Witness"/>.</summary>
    Witness,

    /// <summary>A slow effect finished: <see cref="EngineInput.Slot"/>, <see cref="EngineInput.Flag"/> (true: it worked) and
    /// <see cref="EngineInput.Text"/> (its error).</summary>
    EffectDone,
}

/// <summary>One input to the engine other than a frame. A value: posting it allocates nothing but its payload.</summary>
internal readonly record struct EngineInput(EngineInputKind Kind, EngineCommand? Command = null, string? Source = null, string? Text = null, bool Flag = false, int Slot = -1, string? Check = null,
    Core.Witness.WitnessView Witness = default)
{
    public static EngineInput FromWitness(Core.Witness.WitnessView view) => new(EngineInputKind.Witness, Witness: view);

    public static EngineInput Fault(string source, string text) => new(EngineInputKind.LocalFault, Source: source, Text: text);

    public static EngineInput Cleared(string source, string text) => new(EngineInputKind.FaultCleared, Source: source, Text: text);

    public static EngineInput CheckVerdict(string check, string source, bool failing, string text) =>
        new(EngineInputKind.Verdict, Source: source, Text: text, Flag: failing, Check: check);

    public static EngineInput Done(int slot, bool ok, string? error) => new(EngineInputKind.EffectDone, Text: error, Flag: ok, Slot: slot);
}
