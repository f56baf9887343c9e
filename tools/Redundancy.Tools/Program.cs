using Redundancy.Tools;

return args.FirstOrDefault() switch
{
    "demo" => Demo.Run(),
    "bench-failover" => FailoverBench.Run(args[1..]),
    "store-writer" => StoreWriter.Run(args[1..]),
    "bench-replication" => ReplicationBench.Run(args[1..]),
    "bench-switchover" => SwitchoverBench.Run(args[1..]),
    "bench-idle" => IdleBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: redundancy-tools demo | bench-failover [--rounds N] [--interval-ms N] [--timeout-ms N] [--stress-s N] [--system-ip] | bench-replication | bench-switchover | bench-idle [--seconds N] [--settle-s N]");
    return 64;
}
