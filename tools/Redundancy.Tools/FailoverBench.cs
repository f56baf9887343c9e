namespace Redundancy.Tools;

internal static class FailoverBench
{
    public static int Run(string[] args) => 0;
}
