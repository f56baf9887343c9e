using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Redundancy.Cli;
using Redundancy.Protocol.Control;
using Redundancy.Protocol.Events;

var socketOption = new Option<string?>("--socket") { Description = $"The agent's control socket (default: control.socket of {SocketPath.DefaultConfig}, else {SocketPath.DefaultSocket})", Recursive = true };
var jsonOption = new Option<bool>("--json") { Description = "Print JSON (docs/cli.md) instead of text", Recursive = true };
var timeoutOption = new Option<double>("--timeout") { Description = "Seconds to wait for the agent's answer", DefaultValueFactory = _ => 10, Recursive = true };

var root = new RootCommand("redundancyctl: the field CLI of a Redundancy pair (status, switchover, drill, maintenance, state, events).\n\n" + ExitCodes.Help);
root.Options.Add(socketOption);
root.Options.Add(jsonOption);
root.Options.Add(timeoutOption);
root.Options.Add(Paint.Option);

var status = new Command("status", "Both nodes as this node sees them; exit 0 redundant, 1 degraded, 2 not redundant or unreachable");
status.SetAction(p => Run(p, c =>
{
    var answer = c.Send<StatusResponse>(new StatusRequest());
    if (!answer.Ok || answer.Status is null)
    {
        return Refused(answer);
    }

    var verdict = PairVerdict.Of(answer.Status);
    if (p.GetValue(jsonOption))
    {
        Console.WriteLine(StatusJson(verdict, answer));
    }
    else
    {
        Console.Write(StatusText.Render(answer.Status, verdict, Paint.For(p)));
    }

    return verdict.ExitCode;
}));
root.Subcommands.Add(status);

var since = new Option<long>("--since") { Description = "Only events after this number", DefaultValueFactory = _ => 0 };
var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they come (Ctrl-C ends)" };
var events = new Command("events", "The node's events: role changes with reasons and times, alarms, links, commands");
events.Options.Add(since);
events.Options.Add(follow);
events.SetAction(p => Run(p, c =>
{
    var next = p.GetValue(since);
    var following = p.GetValue(follow);
    while (true)
    {
        var answer = c.Send<EventsResponse>(new EventsRequest(next, null, following ? 10_000 : null));
        if (!answer.Ok)
        {
            return Refused(answer);
        }

        if (answer.Missed > 0 && !p.GetValue(jsonOption))
        {
            Console.Error.WriteLine($"({answer.Missed} event(s) were dropped before they could be read)");
        }

        foreach (var e in answer.Events ?? [])
        {
            Console.WriteLine(p.GetValue(jsonOption) ? JsonSerializer.Serialize(e, ControlJsonContext.Default.NodeEvent) : EventLine(e, Paint.For(p)));
        }

        next = answer.Next;
        if (!following)
        {
            return ExitCodes.Ok;
        }
    }
}, answerTimeout: p.GetValue(follow) ? TimeSpan.FromSeconds(40) : null));
root.Subcommands.Add(events);

var state = new Command("state", "The control state: get, set, delete, list");
var key = new Argument<string>("key") { Description = "The key (1-256 UTF-8 bytes)" };
var get = new Command("get", "One key's value") { key };
get.SetAction(p => Run(p, c => Answer(p, c.Send<GetResponse>(new GetRequest(p.GetValue(key)!)), r => $"{r.Key} = {Text(r.Value)}  (epoch {r.Epoch}, change {r.Sequence}, {r.Time:yyyy-MM-dd HH:mm:ss}Z)")));
var setKey = new Argument<string>("key") { Description = "The key" };
var setValue = new Argument<string>("value") { Description = "The value, as JSON (true, 72.5, '\"text\"', '{\"celsius\":72}')" };
var set = new Command("set", "Write a key on the active node") { setKey, setValue };
set.SetAction(p => Run(p, c =>
{
    JsonElement value;
    try
    {
        value = ControlProtocol.Value(p.GetValue(setValue)!);
    }
    catch (JsonException ex)
    {
        Console.Error.WriteLine($"redundancyctl: the value is not JSON ({ex.Message}); quote text as '\"text\"'");
        return ExitCodes.Usage;
    }

    return Answer(p, c.Send<WriteResponse>(new SetRequest(p.GetValue(setKey)!, value)), r => $"written: change {r.Sequence} in epoch {r.Epoch}");
}));
var deleteKey = new Argument<string>("key") { Description = "The key" };
var delete = new Command("delete", "Delete a key on the active node") { deleteKey };
delete.SetAction(p => Run(p, c => Answer(p, c.Send<WriteResponse>(new DeleteRequest(p.GetValue(deleteKey)!)), r => $"deleted: change {r.Sequence} in epoch {r.Epoch}")));
var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this" };
var list = new Command("list", "Every key and value") { prefix };
list.SetAction(p => Run(p, c => Answer(p, c.Send<ListResponse>(new ListRequest(p.GetValue(prefix))), r =>
    string.Join('\n', (r.Items ?? []).Select(i => $"{i.Key} = {Text(i.Value)}")))));
state.Subcommands.Add(get);
state.Subcommands.Add(set);
state.Subcommands.Add(delete);
state.Subcommands.Add(list);
root.Subcommands.Add(state);

var outputs = new Command("outputs", "Each field output: its value and whether this node drives it");
outputs.SetAction(p => Run(p, c =>
{
    var answer = c.Send<StatusResponse>(new StatusRequest());
    return Answer(p, answer, r => string.Join('\n', r.Status!.Outputs.Select(o => $"{o.Name,-16} {(o.Value ? "on" : "off"),-4} {(o.Driven ? "driven by this node" : "not driven by this node")}")));
}));
root.Subcommands.Add(outputs);

var conflicts = new Command("conflicts", "Changes kept for audit after a split brain");
conflicts.SetAction(p => Run(p, c => Answer(p, c.Send<ConflictsResponse>(new ConflictsRequest()), r =>
    r.Items is not { Count: > 0 } ? "no conflicts" : string.Join('\n', r.Items.Select(i =>
        $"{i.Key} = {(i.Deleted ? "(deleted)" : Text(i.Value))}  (epoch {i.Epoch}, change {i.Sequence}, moved {i.MovedAt:yyyy-MM-dd HH:mm:ss}Z)")))));
root.Subcommands.Add(conflicts);

var onOff = new Argument<string>("on|off") { Description = "on: no automatic takeover on the pair; off: the ordinary rules" };
onOff.AcceptOnlyFromAmong("on", "off");
var maintenance = new Command("maintenance", "Maintenance mode of the pair: while on, neither node takes over automatically") { onOff };
maintenance.SetAction(p => Run(p, c => Answer(p, c.Send<CommandResponse>(new MaintenanceRequest(p.GetValue(onOff) == "on")), r => r.Text ?? "done")));
root.Subcommands.Add(maintenance);

var releaseStartup = new Command("release-startup", "Let this node start alone, once: it waits for a peer it has never heard (solo start off); refused while the peer is heard");
releaseStartup.SetAction(p => Run(p, c => Answer(p, c.Send<CommandResponse>(new ReleaseStartupRequest()), r => r.Text ?? "done")));
root.Subcommands.Add(releaseStartup);

var force = new Option<bool>("--force") { Description = "Switch over even when the standby is not hot (it may lack changes); never overrides maintenance" };
var switchover = new Command("switchover", "Graceful switchover: on the active, hand over to the hot standby; on the standby, take over from the active. No write lost, no output driven by both") { force };
switchover.SetAction(p => Run(p, c => LegAnswer(p, c.Send<SwitchoverResponse>(new SwitchoverRequest(p.GetValue(force) ? true : null, CommandMs(p))), r => r.Leg is null ? [] : [r.Leg]),
    answerTimeout: TimeSpan.FromSeconds(p.GetValue(timeoutOption) + 2)));
root.Subcommands.Add(switchover);

var drill = new Command("drill", "Failover drill: switch over and back, measuring each leg (command to drive, output gap, overlap, lag); refused unless the pair is redundant");
drill.SetAction(p => Run(p, c => LegAnswer(p, c.Send<DrillResponse>(new DrillRequest(CommandMs(p))), r => r.Legs ?? []),
    answerTimeout: TimeSpan.FromSeconds((p.GetValue(timeoutOption) * 3) + 2)));
root.Subcommands.Add(drill);

var configFile = new Argument<string>("file") { Description = "The agent config to check (e.g. /etc/redundancy/agent.json)" };
var check = new Command("check", "Check an agent config file with the agent's own rules; every problem is named") { configFile };
check.SetAction(p =>
{
    var file = p.GetValue(configFile)!;
    string json;
    try
    {
        json = File.ReadAllText(file);
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"redundancyctl: cannot read {file}: {ex.Message}");
        return ExitCodes.Usage;
    }

    var options = Redundancy.Core.Configuration.AgentConfig.Parse(json, out var problems);
    if (p.GetValue(jsonOption))
    {
        Console.WriteLine(ConfigJson(file, options is not null, problems));
    }
    else if (options is null)
    {
        Console.WriteLine($"{file}: {problems.Count} problem(s):");
        foreach (var problem in problems)
        {
            Console.WriteLine($"  {problem}");
        }
    }
    else
    {
        Console.WriteLine($"{file}: OK: node {options.NodeName} ({options.NodeId}) of pair {options.PairId}, {options.Outputs.Count} output(s); the pair key file and control.group are checked when the agent starts (redundancy-agent --check)");
    }

    return options is null ? ExitCodes.Refused : ExitCodes.Ok;
});
var config = new Command("config", "The agent's configuration") { check };
root.Subcommands.Add(config);
root.Subcommands.Add(Completion.Command(root));

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors)
    {
        Console.Error.WriteLine($"redundancyctl: {e.Message}");
    }

    Console.Error.WriteLine("Try 'redundancyctl --help'.");
    return ExitCodes.Usage;
}

return parsed.Invoke();

int Run(ParseResult p, Func<ControlConnection, int> body, TimeSpan? answerTimeout = null)
{
    var path = SocketPath.Resolve(p.GetValue(socketOption));
    try
    {
        using var connection = new ControlConnection(path, answerTimeout ?? TimeSpan.FromSeconds(p.GetValue(timeoutOption)));
        return body(connection);
    }
    catch (SocketException ex)
    {
        Console.Error.WriteLine($"redundancyctl: agent unreachable at {path}: {ex.Message} (is redundancy-agent running? is this the right --socket?)");
        return ExitCodes.NotRedundantOrUnreachable;
    }
    catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
    {
        Console.Error.WriteLine($"redundancyctl: the agent at {path} did not answer in time");
        return ExitCodes.TimedOut;
    }
    catch (IOException ex)
    {
        Console.Error.WriteLine($"redundancyctl: the connection to {path} failed: {ex.Message}");
        return ExitCodes.NotRedundantOrUnreachable;
    }
    catch (UnauthorizedAccessException ex)
    {
        Console.Error.WriteLine($"redundancyctl: may not open {path}: {ex.Message} (root and group redundancy may)");
        return ExitCodes.NotRedundantOrUnreachable;
    }
}

int Answer<T>(ParseResult p, T answer, Func<T, string> text)
    where T : ControlResponse
{
    if (p.GetValue(jsonOption))
    {
        Console.WriteLine(ControlProtocol.Format(answer));
        return answer.Ok ? ExitCodes.Ok : ExitCodes.Refused;
    }

    if (!answer.Ok)
    {
        return Refused(answer);
    }

    Console.WriteLine(text(answer));
    return ExitCodes.Ok;
}

int? CommandMs(ParseResult p) => (int)Math.Clamp(p.GetValue(timeoutOption) * 1000, 1, ControlProtocol.MaxCommandMs);

int LegAnswer<T>(ParseResult p, T answer, Func<T, IReadOnlyList<SwitchoverLeg>> legs)
    where T : ControlResponse
{
    if (p.GetValue(jsonOption))
    {
        Console.WriteLine(ControlProtocol.Format(answer));
        return answer.Ok ? ExitCodes.Ok : ExitCodes.Refused;
    }

    var shown = legs(answer);
    if (shown.Count > 0)
    {
        Console.WriteLine(LegText.Render(shown));
    }

    if (!answer.Ok)
    {
        return Refused(answer);
    }

    Console.WriteLine(answer switch { SwitchoverResponse s => s.Text, DrillResponse d => d.Text, _ => "done" });
    return ExitCodes.Ok;
}

static int Refused(ControlResponse answer)
{
    Console.Error.WriteLine($"redundancyctl: refused: {answer.Error}");
    return ExitCodes.Refused;
}

static string Text(JsonElement? value) => value is { } v ? ControlProtocol.JsonText(v) : "null";

static string EventLine(NodeEvent e, Paint? paint = null)
{
    paint ??= Paint.None;
    var what = e.Kind switch
    {
        NodeEventKind.RoleChanged when e.TakeoverMs is { } t => string.Create(CultureInfo.InvariantCulture,
            $"role {paint.Role(e.From)} -> {paint.Role(e.To)} (epoch {e.Epoch}): {e.Reason}; detection {e.DetectionMs:F1} ms, takeover {t:F2} ms"),
        NodeEventKind.RoleChanged => $"role {paint.Role(e.From)} -> {paint.Role(e.To)} (epoch {e.Epoch}): {e.Reason}",
        NodeEventKind.AlarmRaised => paint.Alarm(e.Alarm, $"ALARM {e.Alarm} ({e.Subject}): {e.Reason}"),
        NodeEventKind.AlarmCleared => $"alarm cleared {e.Alarm} ({e.Subject}): {e.Reason}",
        NodeEventKind.Command => $"{e.Subject} by {Redundancy.Core.Commands.Callers.Name(e.Uid ?? -1)}: {e.Reason}",
        _ => $"{paint.EventKind(e.Kind.ToString())} {e.Subject}: {e.Reason}",
    };
    return string.Create(CultureInfo.InvariantCulture, $"{e.Sequence,6}  {e.Time:yyyy-MM-dd HH:mm:ss.fff}Z  {e.Node}  {what}");
}

static string StatusJson(PairVerdict v, StatusResponse answer) => Json(w =>
{
    w.WriteString("verdict", v.Verdict);
    w.WriteString("summary", v.Summary);
    Strings(w, "reasons", v.Reasons);
    w.WritePropertyName("status");
    JsonSerializer.Serialize(w, answer.Status!, ControlJsonContext.Default.NodeStatus);
});

static string ConfigJson(string file, bool ok, IReadOnlyList<string> problems) => Json(w =>
{
    w.WriteString("file", file);
    w.WriteBoolean("ok", ok);
    Strings(w, "problems", problems);
});

// One object of the CLI's own --json schema (docs/cli.md): "schema" first, then the command's fields.
static string Json(Action<Utf8JsonWriter> fields)
{
    using var buffer = new MemoryStream();
    using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        w.WriteStartObject();
        w.WriteNumber("schema", 1);
        fields(w);
        w.WriteEndObject();
    }

    return Encoding.UTF8.GetString(buffer.ToArray());
}

static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
{
    w.WriteStartArray(name);
    foreach (var v in values)
    {
        w.WriteStringValue(v);
    }

    w.WriteEndArray();
}
