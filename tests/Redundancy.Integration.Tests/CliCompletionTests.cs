using System.Diagnostics;
using Redundancy.Simulation.Harness;

namespace Redundancy.Integration.Tests;

/// <summary><c>redundancyctl completion bash</c>: the shipped copy is its output, and the script completes in a real bash.</summary>
[Collection("pair")]
public sealed class CliCompletionTests
{
    [Fact]
    public void ShippedCopy_IsWhatCompletionBashPrints()
    {
        var (code, script, error) = Redundancyctl.Run(["completion", "bash"]);
        Assert.True(code == 0, error);
        var shipped = Path.Combine(AgentBinary.RepositoryRoot(), "firmware-config", "bash-completion", "redundancyctl");
        Assert.True(File.ReadAllText(shipped) == script,
            $"{shipped} is not what the commands make: run  dotnet src/Redundancy.Cli/bin/Debug/net10.0/redundancyctl.dll completion bash > firmware-config/bash-completion/redundancyctl");
    }

    [Theory]
    [InlineData("redundancyctl sta", "state status")]
    [InlineData("redundancyctl maintenance ", "off on")]
    [InlineData("redundancyctl maintenance o", "off on")]
    [InlineData("redundancyctl maintenance on ", "")]
    [InlineData("redundancyctl state ", "delete get list set")]
    [InlineData("redundancyctl --socket /run/x.sock sta", "state status")]
    [InlineData("redundancyctl status --color ", "always auto never")]
    [InlineData("redundancyctl status --color=n", "never")]
    [InlineData("redundancyctl config check --j", "--json")]
    [InlineData("redundancyctl events --s", "--since --socket")]
    [InlineData("redundancyctl completion ", "bash")]
    public void SourcedInBash_CompletesCommandsOptionsAndTheirValues(string line, string expected)
    {
        var (code, script, error) = Redundancyctl.Run(["completion", "bash"]);
        Assert.True(code == 0, error);
        var file = Path.Combine(Path.GetTempPath(), $"redundancyctl-completion-{Environment.ProcessId}-{Guid.NewGuid():N}.bash");
        File.WriteAllText(file, script);
        try
        {
            Assert.Equal(expected, string.Join(' ', Complete(file, line).Order(StringComparer.Ordinal)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    // Sources the script in bash, checks it registered itself, splits the line as readline does (at spaces and at =,
    // which is in COMP_WORDBREAKS), runs the function `complete` names and returns COMPREPLY.
    private static string[] Complete(string scriptFile, string line)
    {
        const string Driver = """
            set -u
            source "$1"
            spec=$(complete -p redundancyctl) || exit 10
            [[ $spec == "complete -F _redundancyctl redundancyctl" ]] || { echo "registered as: $spec" >&2; exit 11; }
            line=$2
            words=()
            word=
            for ((k = 0; k < ${#line}; k++)); do
                c=${line:k:1}
                if [[ $c == " " ]]; then
                    [[ -n $word ]] && words+=("$word")
                    word=
                elif [[ $c == = ]]; then
                    [[ -n $word ]] && words+=("$word")
                    words+=("=")
                    word=
                else
                    word+=$c
                fi
            done
            if [[ -n $word || ${line: -1} == " " ]]; then words+=("$word"); fi
            COMP_WORDS=("${words[@]}")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMP_LINE=$line
            COMP_POINT=${#line}
            COMPREPLY=()
            _redundancyctl redundancyctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--norc", "--noprofile", "-c", Driver, "driver", scriptFile, line })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash did not complete '{line}' in 30 s");
        }

        Assert.True(p.ExitCode == 0, $"bash exited {p.ExitCode}: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
