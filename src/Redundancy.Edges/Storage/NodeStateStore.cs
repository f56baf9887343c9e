using System.Globalization;
using System.Text;

namespace Redundancy.Edges.Storage;

/// <summary>
/// The node's small persistent facts in the data directory: the epoch (generation of the newest takeover)
/// and the boot counter that keeps heartbeat sequences rising across restarts. Written atomically
/// (temporary file, fsync, rename, fsync of the directory): a power cut leaves the old or the new value,
/// never a torn one. A file that cannot be read is reported, never overwritten.
/// </summary>
public sealed class NodeStateStore
{
    private const string FileName = "node-state";
    private readonly string _path;
    private readonly string _directory;

    /// <summary>Opens (and creates when new) the store in <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="StorageException">The directory cannot be used or the file is corrupt.</exception>
    public NodeStateStore(string dataDirectory)
    {
        _directory = Path.GetFullPath(dataDirectory);
        _path = Path.Combine(_directory, FileName);
        try
        {
            Directory.CreateDirectory(_directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"data directory {_directory} cannot be created: {ex.Message}", ex);
        }

        (Epoch, BootCount) = File.Exists(_path) ? Read() : (0UL, 0U);
    }

    /// <summary>The persisted epoch.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>The persisted boot counter.</summary>
    public uint BootCount { get; private set; }

    /// <summary>Increments and persists the boot counter; returns the new value.</summary>
    public uint NextBoot()
    {
        Write(Epoch, BootCount + 1);
        return BootCount;
    }

    /// <summary>Persists <paramref name="epoch"/> (durably, before it is announced or acted on).</summary>
    public void SaveEpoch(ulong epoch)
    {
        if (epoch != Epoch)
        {
            Write(epoch, BootCount);
        }
    }

    private (ulong Epoch, uint Boot) Read()
    {
        string text;
        try
        {
            text = File.ReadAllText(_path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{_path} cannot be read: {ex.Message}", ex);
        }

        ulong? epoch = null;
        uint? boot = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && parts[0] == "epoch" && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                epoch = e;
            }
            else if (parts.Length == 2 && parts[0] == "boot" && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                boot = b;
            }
            else
            {
                throw new StorageException($"{_path} is corrupt: unexpected line \"{Truncate(line)}\" (expected epoch=N and boot=N); move it aside to start afresh");
            }
        }

        if (epoch is null || boot is null)
        {
            throw new StorageException($"{_path} is corrupt: it must hold epoch=N and boot=N; move it aside to start afresh");
        }

        return (epoch.Value, boot.Value);
    }

    private void Write(ulong epoch, uint boot)
    {
        var temp = _path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(Encoding.ASCII.GetBytes($"epoch={epoch}\nboot={boot}\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _path, overwrite: true);
            DirectorySync.Flush(_directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{_path} cannot be written: {ex.Message}", ex);
        }

        Epoch = epoch;
        BootCount = boot;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
