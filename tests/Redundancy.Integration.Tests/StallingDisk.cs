using System.Diagnostics;

namespace Redundancy.Integration.Tests;

/// <summary>
/// A real file system whose flush can be made to stall: a FUSE passthrough (Fuse/stallfs.py) over a directory, whose
/// fsync waits while a flag file exists. Installs fuse3 and python3-fusepy through tools/ensure-deps.sh when missing.
/// </summary>
internal sealed class StallingDisk : IDisposable
{
    private readonly Process? _fs;
    private readonly string _flag;

    private StallingDisk(string mountPoint, string flag, Process fs)
    {
        MountPoint = mountPoint;
        _flag = flag;
        _fs = fs;
    }

    public string MountPoint { get; }

    /// <summary>Mounts a stalling passthrough at <paramref name="mountPoint"/> (created, must be empty), or returns null
    /// with the reason when FUSE cannot mount here.</summary>
    public static StallingDisk? TryMount(string mountPoint, string work, out string? whyNot)
    {
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var deps = Run(Path.Combine(repo, "tools", "ensure-deps.sh"), "fuse3:fusermount3", "python3-fusepy:py:fusepy");
        if (deps is not null)
        {
            whyNot = $"cannot install fuse3/python3-fusepy: {deps}";
            return null;
        }

        if (!File.Exists("/dev/fuse"))
        {
            whyNot = "/dev/fuse does not exist";
            return null;
        }

        var root = Path.Combine(work, "stallfs-root");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(mountPoint);
        var flag = Path.Combine(work, "stallfs-hold");
        var script = Path.Combine(AppContext.BaseDirectory, "Fuse", "stallfs.py");
        var fs = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, root, mountPoint, flag]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (File.ReadAllText("/proc/self/mounts").Contains($" {mountPoint} fuse", StringComparison.Ordinal))
            {
                whyNot = null;
                return new StallingDisk(mountPoint, flag, fs);
            }

            if (fs.HasExited)
            {
                whyNot = $"stallfs.py exited {fs.ExitCode}: {fs.StandardError.ReadToEnd()}";
                return null;
            }

            Thread.Sleep(20);
        }

        fs.Kill();
        whyNot = "the FUSE mount did not appear within 10 s";
        return null;
    }

    /// <summary>From now on every fsync on the mount waits.</summary>
    public void Stall() => File.WriteAllText(_flag, "hold");

    /// <summary>Waiting fsyncs return.</summary>
    public void Release() => File.Delete(_flag);

    public void Dispose()
    {
        Release();
        Run("fusermount3", "-u", "-z", MountPoint);
        if (_fs is { HasExited: false })
        {
            _fs.Kill();
        }

        _fs?.WaitForExit(5000);
        _fs?.Dispose();
    }

    private static string? Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : $"{file} exit {p.ExitCode}: {error}";
    }
}
