namespace ShadowCopy.MySql.External;

/// <summary>How <see cref="MySqlViaToolBackend"/> runs its tool and where the tool's output goes.</summary>
public sealed record ViaToolSettings
{
    public required ExternalTool Tool { get; init; }

    /// <summary>The tool's arguments (without the executable) for one run.</summary>
    public required Func<ToolRun, IReadOnlyList<string>> Arguments { get; init; }

    /// <summary>The command as a user could paste it (shell-quoted, no password), for the plan.</summary>
    public required Func<ToolRun, string> Display { get; init; }

    /// <summary>Every line the tool prints: (tool, is stderr, text), passwords masked.</summary>
    public Action<string, bool, string> OnToolLine { get; init; } = (_, _, _) => { };

    /// <summary>Our own notes about the tool (leftovers removed, exit status).</summary>
    public Action<string> OnMessage { get; init; } = _ => { };

    /// <summary>Directories searched for the executable; null means $PATH.</summary>
    public string? SearchPath { get; init; }

    /// <summary>gh-ost: how long writers are held under LOCK TABLES … READ before a verification snapshot, for its binlog applier to catch up.</summary>
    public TimeSpan GhostSettleTime { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>gh-ost: the longest wait for its own (retried) cut-over after the flag file is removed.</summary>
    public TimeSpan GhostCutOverTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
