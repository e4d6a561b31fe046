using ShadowCopy.Core.Control;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Engine;

/// <summary>Optional collaborators of a run: operator control, audit journal, hooks, and who runs it.</summary>
public sealed record RunServices
{
    /// <summary>Operator knobs (the control socket writes them); a private one is made when null.</summary>
    public RunControl? Control { get; init; }

    public IRunObserver? Observer { get; init; }

    public IRunHooks? Hooks { get; init; }

    public RunIdentity Identity { get; init; } = new();
}

/// <summary>Who runs what where, for the journal's first line and the hooks' environment. No secrets.</summary>
public sealed record RunIdentity
{
    public string Engine { get; init; } = "unknown";

    public string Database { get; init; } = string.Empty;

    public string Capture { get; init; } = string.Empty;

    /// <summary>The database user (never a password).</summary>
    public string User { get; init; } = string.Empty;

    public string Host { get; init; } = string.Empty;

    public string ToolVersion { get; init; } = typeof(RunIdentity).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The OS user and machine running the tool.</summary>
    public string Operator { get; init; } = $"{Environment.UserName}@{Environment.MachineName}";
}
