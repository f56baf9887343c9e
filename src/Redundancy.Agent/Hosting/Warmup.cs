using System.Reflection;
using System.Runtime.CompilerServices;

namespace Redundancy.Agent.Hosting;

/// <summary>
/// Compiles the agent's own methods at start, so that the first takeover, which may be years after start,
/// does not pay for the JIT at the moment it matters.
/// </summary>
internal static class Warmup
{
    public static int Run(params Assembly[] assemblies)
    {
        var count = 0;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assemblies.SelectMany(SafeTypes))
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null)
                {
                    continue;
                }

                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    count++;
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException or InvalidOperationException or BadImageFormatException or TypeLoadException)
                {
                    // some methods cannot be prepared ahead (e.g. with unresolved dependencies); they JIT on first use
                }
            }
        }

        return count;
    }

    private static Type[] SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>().ToArray();
        }
    }
}
