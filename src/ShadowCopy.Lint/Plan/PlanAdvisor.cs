namespace ShadowCopy.Lint.Plan;

/// <summary>
/// Turns the server's verdict on the clone plus table size into a recommendation. Pure, so
/// every branch is unit-tested; the providers only gather the evidence.
/// </summary>
public static class PlanAdvisor
{
    /// <summary>Below this, a blocking rewrite or an INPLACE rebuild ends before clients notice (well under typical lock_timeout/statement timeouts).</summary>
    public static readonly TimeSpan SmallEnough = TimeSpan.FromSeconds(1);

    /// <summary>Used when no sample could be copied; deliberately slow so the estimate errs long.</summary>
    public const double AssumedRowsPerSecond = 20_000;

    public static PlanResult Decide(PlanInput input, string dsn)
    {
        ArgumentNullException.ThrowIfNull(input);
        var size = input.Size;
        var rateAssumed = size.SampleRowsPerSecond is not > 0;
        var rate = rateAssumed ? AssumedRowsPerSecond : size.SampleRowsPerSecond!.Value;
        var copy = TimeSpan.FromSeconds(Math.Max(0, size.EstimatedRows) / rate);
        string[] shadowcopy = ["alter", "--dsn", dsn, "--table", input.Table, "--alter", input.Alter, "--execute"];
        var probe = input.Probe;
        if (probe.Cost == DdlCost.Failed)
        {
            return new PlanResult(input, PlanVerdict.Refuse, $"the server rejects this ALTER even on an empty copy of the table: {probe.ServerError}", null, null, null, rateAssumed);
        }

        // A scan under ACCESS EXCLUSIVE (SET NOT NULL, CHECK, FOREIGN KEY without NOT VALID) is
        // invisible on an empty clone; lint knows which clauses scan.
        var scans = input.Findings.Any(f => f.Effect == TableEffect.Scan);
        var exclusive = probe.LockMode is "AccessExclusiveLock" or "ShareLock" or "ShareRowExclusiveLock" or "ExclusiveLock";
        switch (probe.Cost)
        {
            case DdlCost.MetadataOnly when !(scans && exclusive && copy > SmallEnough):
                return new PlanResult(input, PlanVerdict.Native, Metadata(input), input.NativeStatement, null, null, rateAssumed);
            case DdlCost.InplaceNoRebuild or DdlCost.InplaceRebuild when copy <= SmallEnough || input.Target.IsPostgres == false && probe.Cost == DdlCost.InplaceNoRebuild && !scans:
                return new PlanResult(input, PlanVerdict.Native, $"the server runs it online ({Describe(probe.Cost)}) and the table is small enough that replicas barely lag", input.NativeStatement, null, copy, rateAssumed);
            case DdlCost.Rewrite when copy <= SmallEnough:
                return new PlanResult(input, PlanVerdict.Native, $"the change rewrites the table under lock, but {size.EstimatedRows:N0} rows take {Seconds(copy)}; run it natively with a lock timeout", input.NativeStatement, null, copy, rateAssumed);
        }

        var why = probe.Cost switch
        {
            DdlCost.Rewrite when input.Target.IsPostgres => $"PostgreSQL rewrites the table (new relfilenode) while holding {probe.LockMode ?? "its lock"}: reads and writes wait for the whole rewrite",
            DdlCost.Rewrite => "only ALGORITHM=COPY works: writes are blocked for the whole copy",
            DdlCost.InplaceRebuild => "ALGORITHM=INPLACE, LOCK=NONE keeps writes going on the primary, but the table is rebuilt and replicas apply the DDL serially, lagging by its full duration",
            DdlCost.InplaceNoRebuild => "the change reads the whole table (index build or validation); online on the primary, but replicas lag by its duration",
            _ => $"the statement scans the whole table while holding {probe.LockMode}",
        };
        return new PlanResult(input, PlanVerdict.OnlineCopy, $"{why}; an online copy of {size.EstimatedRows:N0} rows takes {Seconds(copy)}{(rateAssumed ? " (rate assumed, no sample)" : string.Empty)}", null, shadowcopy, copy, rateAssumed);
    }

    private static string Metadata(PlanInput input) => input.Target.IsPostgres
        ? $"metadata-only: no rewrite, {input.Probe.LockMode ?? "no lock"} held only for the catalog update; run it with a short lock_timeout and retry"
        : "ALGORITHM=INSTANT: metadata-only, the table is not touched";

    private static string Describe(DdlCost cost) => cost == DdlCost.InplaceNoRebuild ? "INPLACE without rebuild" : "INPLACE with rebuild, LOCK=NONE";

    private static string Seconds(TimeSpan value) => value.TotalSeconds < 1 ? "under a second" : value.TotalMinutes < 2 ? $"about {value.TotalSeconds:0} s" : value.TotalHours < 2 ? $"about {value.TotalMinutes:0} min" : $"about {value.TotalHours:0.0} h";
}
