namespace Redundancy.Integration.Tests;

/// <summary>Pair tests run one at a time: each starts two agents and a socat, and timing is what they test.</summary>
[CollectionDefinition("pair", DisableParallelization = true)]
public sealed class PairCollection;
