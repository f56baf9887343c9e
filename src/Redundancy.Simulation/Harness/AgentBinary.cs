namespace Redundancy.Simulation.Harness;

/// <summary>Finds the built agent: <c>REDUNDANCY_AGENT_DLL</c>, or the build output next to this repository's solution.</summary>
public static class AgentBinary
{
    /// <summary>Path of redundancy-agent.dll.</summary>
    public static string Locate() =>
        Environment.GetEnvironmentVariable("REDUNDANCY_AGENT_DLL") is { Length: > 0 } fromEnv
            ? fromEnv
            : LocateBuilt(Path.Combine("src", "Redundancy.Agent"), "redundancy-agent.dll");

    /// <summary>Path of redundancy-tools.dll (demo, benchmarks and test helpers).</summary>
    public static string LocateTools() => LocateBuilt(Path.Combine("tools", "Redundancy.Tools"), "redundancy-tools.dll");

    /// <summary>The build output <paramref name="dll"/> of the project in <paramref name="projectDirectory"/>,
    /// preferring the configuration this assembly was built in.</summary>
    public static string LocateBuilt(string projectDirectory, string dll)
    {
        var root = RepositoryRoot();
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        foreach (var c in new[] { configuration, configuration == "Debug" ? "Release" : "Debug" })
        {
            var path = Path.Combine(root, projectDirectory, "bin", c, "net10.0", dll);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"{dll} not built under {root}/{projectDirectory}/bin; run dotnet build first");
    }

    /// <summary>The folder holding Redundancy.sln, searched upwards from this assembly.</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Redundancy.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Redundancy.sln not found above " + AppContext.BaseDirectory);
    }
}
