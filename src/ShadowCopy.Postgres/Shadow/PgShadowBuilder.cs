using Npgsql;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Shadow;

/// <summary>
/// The shadow: created like the original with its indexes and constraints under temporary names, the
/// user's ALTER applied to it (for real, or rehearsed in a transaction the preflight rolls back), then
/// read back for the column mapping, from which the run's statements and its capture are built.
/// </summary>
internal sealed class PgShadowBuilder(PgRun run)
{
    private static readonly PgDialect D = PgDialect.Instance;

    public async Task CreateShadowAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "create shadow";
        await run.Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
        try
        {
            await CreateShadowObjectsAsync(cancellationToken).ConfigureAwait(false);
            await run.Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await run.Main.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }

        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await PgDeferredIndexes.DropAsync(run, cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateShadowObjectsAsync(CancellationToken cancellationToken)
    {
        var table = run.Table;
        var source = run.Source!;
        run.IndexTempNames.Clear();
        run.ConstraintTempNames.Clear();
        foreach (var statement in PgShadowDdl.Build(source, run.Names, run.IndexTempNames, run.ConstraintTempNames))
        {
            await run.Main.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
        }

        var alter = PgAlterText.MapNames(run.Alter!, run.ConstraintTempNames, run.IndexTempNames);
        try
        {
            await run.Main.ExecuteAsync($"ALTER TABLE {D.Qualified(table.Schema, run.Names.Shadow)} {alter}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            throw new PreflightRefusedException(RefusalReason.AlterRejected, $"PostgreSQL rejected the ALTER on the shadow: {error.MessageText} (SQLSTATE {error.SqlState}). Nothing was changed.", error);
        }
    }

    /// <summary>Reads the shadow, builds the mapping and the run's statements, and a fresh capture over them.</summary>
    public async Task PrepareStatementsAsync(CancellationToken cancellationToken)
    {
        var table = run.Table;
        using var quiet = run.Transcript.Pause();
        var shadow = await PgInspector.ReadAsync(run.Main, new TableName(table.Schema, run.Names.Shadow), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("shadow table vanished");
        run.Shadow = shadow;
        var mapping = PgMapping.Build(run.Source!, shadow, run.Mode.KeyIndex(run.Source!), PgAlterText.UsingExpressions(run.Alter!));
        run.Mapping = mapping;
        var keyAttNums = shadow.Columns.Where(c => mapping.Key.Any(k => k.ShadowName == c.Name)).Select(c => c.AttNum).ToHashSet();
        var shadowToSource = mapping.Copied.ToDictionary(c => c.ShadowName, c => c.SourceName, StringComparer.Ordinal);
        var uniques = new List<IReadOnlyList<string>>();
        foreach (var index in shadow.Indexes.Where(i => i.IsUnique && !i.HasPredicate && i.Columns.All(a => a > 0)))
        {
            if (index.Columns.Count == keyAttNums.Count && index.Columns.All(keyAttNums.Contains))
            {
                continue;
            }

            var names = index.Columns.Select(a => shadow.Columns.Single(c => c.AttNum == a).Name).ToList();
            if (names.All(shadowToSource.ContainsKey))
            {
                uniques.Add(names.Select(n => shadowToSource[n]).ToList());
            }
        }

        var rowHash = await PgInspector.RowHashAsync(run.Main, shadow.Oid, mapping.Copied.Select(c => c.ShadowName).ToList(), cancellationToken).ConfigureAwait(false);
        var sql = new PgStatements(table, run.Names, mapping, uniques, rowHash);
        run.SqlOrNull = sql;
        if (run.CaptureOrNull is not null)
        {
            await run.CaptureOrNull.DisposeAsync().ConfigureAwait(false);
        }

        run.CaptureOrNull = run.Mode.Create(run, sql);
        run.CaptureOrNull.AppliedKeys = run.AppliedKeys;
    }
}
