namespace Redundancy.Agent.Engine;

/// <summary>Where the control socket hands a command to the engine (the engine itself); the reply never blocks it.</summary>
internal interface IEngineCommands
{
    /// <summary>Posts <paramref name="command"/>; completes when the engine has decided.</summary>
    Task<CommandReply> Send(EngineCommand command);
}
