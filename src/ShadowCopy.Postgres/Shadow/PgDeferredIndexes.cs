namespace ShadowCopy.Postgres.Shadow;

/// <summary>
/// Plain secondary indexes are built after the copy, as one sorted build each, instead of being
/// maintained row by row through every chunk (pg_repack does the same). The key and every unique
/// index stay: the applier and ON CONFLICT rely on them.
/// </summary>
internal static class PgDeferredIndexes
{
    private static readonly PgDialect D = PgDialect.Instance;

    /// <summary>Drops the shadow's plain secondary indexes and records their definitions.</summary>
    public static async Task DropAsync(PgRun run, CancellationToken cancellationToken)
    {
        run.DeferredIndexes.Clear();
        foreach (var index in run.Shadow!.Indexes.Where(i => !i.IsUnique && i.ConstraintType is null && i.IsValid))
        {
            run.DeferredIndexes.Add(index.Definition);
            await run.Main.ExecuteAsync($"DROP INDEX {D.Qualified(run.Table.Schema, index.Name)}", null, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task BuildAsync(PgRun run, CancellationToken cancellationToken)
    {
        if (run.DeferredIndexes.Count > 0)
        {
            await run.Main.ExecuteAsync("SET maintenance_work_mem = '256MB'", null, cancellationToken).ConfigureAwait(false);
            foreach (var definition in run.DeferredIndexes)
            {
                // Idempotent for --resume: a killed run may have built some of them already (a
                // CREATE INDEX cut short rolls back whole, so an index that exists is complete).
                await run.Main.ExecuteAsync(IfNotExists(definition), null, cancellationToken).ConfigureAwait(false);
            }

            await run.Main.ExecuteAsync("RESET maintenance_work_mem", null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>CREATE INDEX name …</c> (pg_get_indexdef's form for the non-unique indexes we defer) → <c>CREATE INDEX IF NOT EXISTS name …</c>.</summary>
    internal static string IfNotExists(string definition)
    {
        const string Plain = "CREATE INDEX ";
        return definition.StartsWith(Plain, StringComparison.Ordinal) && !definition.StartsWith(Plain + "IF NOT EXISTS ", StringComparison.Ordinal)
            ? "CREATE INDEX IF NOT EXISTS " + definition[Plain.Length..]
            : definition;
    }
}
