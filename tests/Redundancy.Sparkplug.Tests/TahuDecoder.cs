using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Redundancy.Sparkplug.Tests;

/// <summary>
/// Eclipse Tahu's sparkplug-payload (npm) run by node: a decoder and encoder written by others from the same
/// specification, to check our bytes against. <see cref="TryGet"/> installs what is missing: node and npm through
/// tools/ensure-deps.sh (apt, as root), then the pinned package with npm into a folder under the system temp folder,
/// never the repo. Thread-safe; the install happens once per test run.
/// </summary>
internal sealed class TahuDecoder
{
    /// <summary>The package, pinned: the newest the registry served when these tests were written.</summary>
    public const string Package = "sparkplug-payload@1.0.3";

    private static readonly Lazy<(TahuDecoder? Decoder, string? WhyNot)> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _node;
    private readonly string _modules;
    private readonly string _script = Path.Combine(AppContext.BaseDirectory, "Tahu", "tahu.js");

    private TahuDecoder(string node, string modules)
    {
        _node = node;
        _modules = modules;
    }

    /// <summary>The decoder; null with the reason when node or npm cannot be had on this machine at all (then skip).
    /// A failed install of the package itself is an exception: the registry is one this machine reaches.</summary>
    public static TahuDecoder? TryGet(out string? whyNot)
    {
        var (decoder, reason) = Instance.Value;
        whyNot = reason;
        return decoder;
    }

    /// <summary>Decodes each payload; one JSON object per payload, <c>{"decoded":..., "raw":...}</c> (see tahu.js).</summary>
    public JsonArray Decode(params byte[][] payloads)
    {
        var folder = Directory.CreateTempSubdirectory("sparkplug-tahu-");
        try
        {
            var files = payloads.Select((p, i) =>
            {
                var file = Path.Combine(folder.FullName, $"{i}.bin");
                File.WriteAllBytes(file, p);
                return file;
            }).ToList();
            var output = Run(_node, [_script, _modules, "decode", .. files], TimeSpan.FromSeconds(60));
            return JsonNode.Parse(output)!.AsArray();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A host's NCMD asking for a rebirth, as Tahu's encodePayload makes it.</summary>
    public byte[] EncodeRebirthRequest(long timestampMs) =>
        Convert.FromBase64String(Run(_node, [_script, _modules, "rebirth", timestampMs.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60)));

    private static (TahuDecoder?, string?) Create()
    {
        var node = Which("node");
        var npm = Which("npm");
        if (node is null || npm is null)
        {
            var ensure = Path.Combine(RepoRoot(), "tools", "ensure-deps.sh");
            var (code, _, stderr) = TryRun("bash", [ensure, "nodejs:node", "npm"], TimeSpan.FromMinutes(10));
            node = Which("node");
            npm = Which("npm");
            if (node is null || npm is null)
            {
                return (null, $"node or npm cannot be had here ({ensure} nodejs:node npm exited {code}: {Tail(stderr)}): the Tahu decoder tests need them");
            }
        }

        var modules = EnsurePackage(npm);
        return (new TahuDecoder(node, modules), null);
    }

    // Installed into a staging folder and moved into place whole, so a run that stops half-way or another test run at
    // the same time never leaves or sees a half-installed package.
    private static string EnsurePackage(string npm)
    {
        var root = Path.Combine(Path.GetTempPath(), "redundancy-tests", "npm-" + Package.Replace('@', '-'));
        var modules = Path.Combine(root, "node_modules");
        if (File.Exists(Path.Combine(modules, "sparkplug-payload", "package.json")))
        {
            return modules;
        }

        var staging = $"{root}.{Guid.NewGuid():N}.tmp";
        Directory.CreateDirectory(staging);
        try
        {
            // --ignore-scripts: nothing from the registry runs at install; the package needs no build step.
            var (code, stdout, stderr) = TryRun(npm, ["install", "--prefix", staging, "--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", Package], TimeSpan.FromMinutes(5));
            if (code != 0)
            {
                throw new InvalidOperationException($"npm install {Package} failed (exit {code}): {Tail(stderr + stdout)}");
            }

            try
            {
                Directory.Move(staging, root);
            }
            catch (IOException) when (File.Exists(Path.Combine(modules, "sparkplug-payload", "package.json")))
            {
                // Another test run installed it first.
            }

            return modules;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static string Run(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var (code, stdout, stderr) = TryRun(file, args, timeout);
        return code == 0 ? stdout : throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args.Skip(2))} exited {code}: {Tail(stderr)}");
    }

    private static (int Code, string Stdout, string Stderr) TryRun(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, "", $"could not start {file}: {ex.Message}");
        }

        using var _ = process;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, stdout.Result, $"timed out after {timeout.TotalSeconds:F0} s. {stderr.Result}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Redundancy.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Redundancy.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "..." + text[^2000..].Trim();
}
