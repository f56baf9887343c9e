using System.Diagnostics;

namespace Redundancy.Integration.Tests;

/// <summary>A small tmpfs mounted for one test (tests run as root), filled and freed on demand, unmounted on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _filler;

    public Tmpfs(string path, int sizeKiB)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={sizeKiB}k", "tmpfs", path);
        _filler = System.IO.Path.Combine(path, "filler");
    }

    public string Path { get; }

    /// <summary>Writes a file until the file system refuses more: the disk is full.</summary>
    public void Fill()
    {
        using var f = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                f.Write(chunk);
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    /// <summary>Frees what <see cref="Fill"/> took.</summary>
    public void Free() => File.Delete(_filler);

    public void Dispose() => Run("umount", "-l", Path);

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
        }
    }
}
