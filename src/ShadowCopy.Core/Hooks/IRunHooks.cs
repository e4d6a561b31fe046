namespace ShadowCopy.Core.Hooks;

/// <summary>
/// Runs the user's hook executables (<c>--hooks-dir</c>). The runner calls it at fixed points with
/// the run's figures; <see cref="HookOutcome.Succeeded"/> false from <see cref="HookNames.BeforeCutOver"/>
/// postpones the cut-over. Other hooks' failures are journaled and reported, never fatal.
/// </summary>
public interface IRunHooks
{
    /// <summary>Runs every executable for <paramref name="hook"/> (none: succeeded) with SHADOWCOPY_* variables built from <paramref name="context"/>.</summary>
    Task<HookOutcome> RunAsync(string hook, HookContext context, CancellationToken cancellationToken);
}

/// <summary>What a hook is told (as SHADOWCOPY_* environment variables; see docs/user-guide.md#hooks).</summary>
public sealed record HookContext
{
    public required string Engine { get; init; }

    public required string Database { get; init; }

    public required string Table { get; init; }

    public required string Alter { get; init; }

    public required string Phase { get; init; }

    public required string Capture { get; init; }

    public long RowsCopied { get; init; }

    public long RowsEstimated { get; init; }

    public long ChangeBacklog { get; init; }

    public double? EtaSeconds { get; init; }

    public double ElapsedSeconds { get; init; }

    public string? ThrottleReason { get; init; }

    /// <summary>on-failure only.</summary>
    public int? ExitCode { get; init; }

    /// <summary>on-failure only.</summary>
    public string? FailureMessage { get; init; }
}

/// <summary>Result of running one hook's executables: failed if any exited non-zero or timed out.</summary>
public sealed record HookOutcome(bool Succeeded, string? Failure = null)
{
    public static readonly HookOutcome None = new(true);
}

/// <summary>Hook names; an executable in the hooks dir whose name starts with one of these runs for it.</summary>
public static class HookNames
{
    public const string Startup = "on-startup";
    public const string Validated = "on-validated";
    public const string RowCopyComplete = "on-row-copy-complete";
    public const string BeforeCutOver = "on-before-cut-over";
    public const string Success = "on-success";
    public const string Failure = "on-failure";
    public const string Status = "on-status";

    public static IReadOnlyList<string> All { get; } = [Startup, Validated, RowCopyComplete, BeforeCutOver, Success, Failure, Status];
}
