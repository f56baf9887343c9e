using System.Globalization;
using System.Text;

namespace Redundancy.Edges.Storage;

/// <summary>
/// The node's boot counter, kept outside the database so that even a node whose database is refused keeps its
/// heartbeat sequences rising across restarts. Written atomically (temporary file, fsync, rename, fsync of the
/// directory). A file that cannot be read is reported, never overwritten.
/// </summary>
public sealed class NodeStateStore
{
    private const string FileName = "boot-counter";
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

        BootCount = File.Exists(_path) ? Read() : 0U;
    }

    /// <summary>The persisted boot counter.</summary>
    public uint BootCount { get; private set; }

    /// <summary>Increments and persists the boot counter; returns the new value.</summary>
    public uint NextBoot()
    {
        Write(BootCount + 1);
        return BootCount;
    }

    private uint Read()
    {
        string text;
        try
        {
            text = File.ReadAllText(_path, Encoding.ASCII).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{_path} cannot be read: {ex.Message}", ex);
        }

        return text.StartsWith("boot=", StringComparison.Ordinal)
            && uint.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var boot)
            ? boot
            : throw new StorageException($"{_path} is corrupt: expected boot=N, found \"{(text.Length <= 40 ? text : text[..40] + "...")}\"; move it aside to start afresh");
    }

    private void Write(uint boot)
    {
        var temp = _path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(Encoding.ASCII.GetBytes($"boot={boot}\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _path, overwrite: true);
            DirectorySync.Flush(_directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{_path} cannot be written: {ex.Message}", ex);
        }

        BootCount = boot;
    }
}
