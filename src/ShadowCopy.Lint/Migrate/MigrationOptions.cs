namespace ShadowCopy.Lint.Migrate;

/// <summary>What <c>shadowcopy migrate</c> was asked to do; immutable, built once by the CLI.</summary>
public sealed record MigrationOptions
{
    /// <summary>The files in the order given, with their contents.</summary>
    public required IReadOnlyList<(string File, string Sql)> Files { get; init; }

    public bool Execute { get; init; }

    public bool Resume { get; init; }

    /// <summary>Stop before this statement (1-based) and exit <see cref="Engine.ExitCodes.MigrationPaused"/>; null: never.</summary>
    public int? PauseBefore { get; init; }

    /// <summary>A rewrite the server would do under lock runs natively only when its estimate is at most this (the plan's own bound by default).</summary>
    public TimeSpan NativeUnder { get; init; } = Lint.Plan.PlanAdvisor.SmallEnough;

    /// <summary>Longest lock wait per attempt of a native statement or index build.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts of a native statement on lock timeouts (jittered backoff between).</summary>
    public int LockAttempts { get; init; } = 6;

    /// <summary>The DSN as the user gave it, only for the plan's advice text (never logged).</summary>
    public string Dsn { get; init; } = string.Empty;
}
