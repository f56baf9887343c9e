namespace Redundancy.Simulation.Harness;

/// <summary>Finds the built agent: <c>REDUNDANCY_AGENT_DLL</c>, or the build output next to this repository's solution.</summary>
public static class AgentBinary
{
    /// <summary>Path of redundancy-agent.dll.</summary>
    public static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("REDUNDANCY_AGENT_DLL");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        var root = RepositoryRoot();
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        foreach (var c in new[] { configuration, configuration == "Debug" ? "Release" : "Debug" })
        {
            var path = Path.Combine(root, "src", "Redundancy.Agent", "bin", c, "net10.0", "redundancy-agent.dll");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"redundancy-agent.dll not built under {root}/src/Redundancy.Agent/bin; run dotnet build first");
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
