using Redundancy.Edges.Storage;

namespace Redundancy.Tools;

/// <summary>
/// Writes batches into a control-state database forever, printing each committed sequence: the crash test kills
/// it with SIGKILL at a random moment and checks that log, state and position still agree.
/// </summary>
internal static class StoreWriter
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: redundancy-tools store-writer DB [BATCH]");
            return 64;
        }

        var batch = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        using var store = ControlStateStore.Open(args[0]);
        var n = store.LastSequence;
        while (true)
        {
            var writes = new List<(string, string?)>(batch);
            for (var i = 0; i < batch; i++)
            {
                n++;
                writes.Add(($"k{n % 97}", n % 13 == 0 ? null : $"{{\"n\":{n}}}"));
            }

            var entries = store.Append(1, writes, 0);
            Console.WriteLine($"committed {entries[^1].Sequence}");
        }
    }
}
