using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Revert;

namespace ShadowCopy.Postgres.CutOver;

/// <summary>
/// The statements of the swap after the drain, in order: capture removal, renames, index, constraint
/// and sequence names, owner, grants, replica identity, comment, the checkpoint's CleaningUp mark, the
/// user's triggers, the reverse capture (<c>--revertible</c>) and the foreign keys, re-created NOT VALID.
/// </summary>
internal sealed class PgSwapStatements(PgRun run)
{
    private static readonly PgDialect D = PgDialect.Instance;

    /// <summary>The swap's statements in order; run inside the cut-over transaction after the drain.</summary>
    /// <remarks>Fills <paramref name="toValidate"/> with the foreign keys re-created NOT VALID, for the validation after the commit.</remarks>
    public List<(string Sql, IReadOnlyList<object?>? Args)> Build(PgTable shadow, IReadOnlyList<object?[]> grants, string currentUser, IReadOnlyList<PgUserTrigger> triggers, List<(string Table, string Constraint)> toValidate)
    {
        var source = run.Source!;
        var mapping = run.Mapping!;
        var schema = run.Table.Schema;
        var newTable = D.Qualified(run.Table);
        var list = new List<(string, IReadOnlyList<object?>?)>();
        void Add(string sql, IReadOnlyList<object?>? args = null) => list.Add((sql, args));

        foreach (var statement in run.Capture.CutOverStatements())
        {
            Add(statement);
        }

        Add($"ALTER TABLE {run.Sql.Source} RENAME TO {D.QuoteIdentifier(run.Names.Old)}");
        Add($"ALTER TABLE {run.Sql.Shadow} RENAME TO {D.QuoteIdentifier(run.Table.Name)}");

        // Index (and index-backed constraint) names: free the original names, then take them.
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in source.Indexes)
        {
            Add(PgCutOver.RenameIndex(schema, index.Name, HelperObjectNames.Derive(index.Name, "old", D.MaxIdentifierBytes)));
        }

        foreach (var index in shadow.Indexes)
        {
            var original = run.IndexTempNames.FirstOrDefault(p => p.Value == index.Name).Key;
            if (original is not null)
            {
                Add(PgCutOver.RenameIndex(schema, index.Name, original));
                taken.Add(original);
            }
            else if (index.Name.StartsWith(run.Names.Shadow + "_", StringComparison.Ordinal))
            {
                // An index the ALTER added got a name derived from the shadow's; give it the one
                // it would have had on the original, when that is free.
                var wanted = run.Table.Name + index.Name[run.Names.Shadow.Length..];
                if (System.Text.Encoding.UTF8.GetByteCount(wanted) <= D.MaxIdentifierBytes && taken.Add(wanted)
                    && !source.Indexes.Any(i => i.Name == wanted))
                {
                    Add(PgCutOver.RenameIndex(schema, index.Name, wanted));
                }
            }
        }

        // Sequences: serial ones are shared (the shadow's default calls the same nextval) and only
        // change owner; identity ones get the original's position and name.
        foreach (var link in source.Sequences)
        {
            var column = source.Columns.First(c => c.AttNum == link.AttNum);
            var target = mapping.Copied.FirstOrDefault(c => c.SourceName == column.Name);
            if (link.DependencyType == "a")
            {
                if (target is not null)
                {
                    Add($"ALTER SEQUENCE {D.Qualified(link.Schema, link.Name)} OWNED BY {newTable}.{D.QuoteIdentifier(target.ShadowName)}");
                }

                continue;
            }

            var shadowColumn = target is null ? null : shadow.Columns.FirstOrDefault(c => c.Name == target.ShadowName);
            var shadowSequence = shadowColumn is null ? null : shadow.Sequences.FirstOrDefault(s => s.AttNum == shadowColumn.AttNum && s.DependencyType == "i");
            if (shadowSequence is null)
            {
                continue;
            }

            var sourceSequence = D.Qualified(link.Schema, link.Name);
            var newSequence = D.Qualified(shadowSequence.Schema, shadowSequence.Name);
            Add($"SELECT pg_catalog.setval({D.QuoteLiteral(newSequence)}::regclass, s.last_value, s.is_called) FROM {sourceSequence} s");
            Add($"ALTER SEQUENCE {sourceSequence} RENAME TO {D.QuoteIdentifier(HelperObjectNames.Derive(link.Name, "old", D.MaxIdentifierBytes))}");
            Add($"ALTER SEQUENCE {newSequence} RENAME TO {D.QuoteIdentifier(link.Name)}");
        }

        if (source.Owner != currentUser)
        {
            Add($"ALTER TABLE {newTable} OWNER TO {D.QuoteIdentifier(source.Owner)}");
        }

        foreach (var grant in grants)
        {
            var grantee = grant[1] is string role ? D.QuoteIdentifier(role) : "PUBLIC";
            var option = (bool)grant[2]! ? " WITH GRANT OPTION" : string.Empty;
            Add($"GRANT {(string)grant[0]!} ON TABLE {newTable} TO {grantee}{option}");
        }

        switch (source.ReplicaIdentity)
        {
            case "f":
                Add($"ALTER TABLE {newTable} REPLICA IDENTITY FULL");
                break;
            case "n":
                Add($"ALTER TABLE {newTable} REPLICA IDENTITY NOTHING");
                break;
            case "i" when source.Indexes.FirstOrDefault(i => i.IsReplicaIdentity) is { } identity && taken.Contains(identity.Name):
                Add($"ALTER TABLE {newTable} REPLICA IDENTITY USING INDEX {D.QuoteIdentifier(identity.Name)}");
                break;
        }

        Add($"COMMENT ON TABLE {newTable} IS {(source.Comment is null ? "NULL" : D.QuoteLiteral(source.Comment))}");
        if (run.StateTableReady)
        {
            // Committed with the swap or not at all: a resume after a kill in the cleanup knows the change is live.
            Add($"UPDATE {D.Qualified(run.Table.Schema, run.Names.State)} SET phase = {D.QuoteLiteral(nameof(Phase.CleaningUp))}, updated_at = pg_catalog.clock_timestamp() WHERE id = 1");
        }

        // The user's triggers: their definitions name the original, which is the new table now.
        foreach (var statement in PgUserTriggers.SwapStatements(triggers, newTable, D.Qualified(schema, run.Names.Old)))
        {
            Add(statement);
        }

        if (run.Options.Revertible)
        {
            // The old table is kept in step from the first write that reaches the new one (ADR 0031).
            list.AddRange(PgReverseCapture.SwapStatements(run.Table, source, mapping, run.Mode.Name, run.Alter!).Select(s => (s, (IReadOnlyList<object?>?)null)));
        }

        toValidate.Clear();
        foreach (var fk in source.OutgoingForeignKeys)
        {
            var childColumns = MapColumns(fk.ChildColumns);
            if (childColumns is null)
            {
                run.Warnings.Add($"foreign key {fk.Name} was not re-created: the ALTER dropped one of its columns");
                continue;
            }

            var selfReference = fk.ParentSchema == run.Table.Schema && fk.ParentTable == run.Table.Name;
            var parentColumns = selfReference ? MapColumns(fk.ParentColumns) : fk.ParentColumns;
            if (parentColumns is null)
            {
                continue;
            }

            var parent = selfReference ? newTable : D.Qualified(fk.ParentSchema, fk.ParentTable);
            Add($"ALTER TABLE {newTable} ADD CONSTRAINT {D.QuoteIdentifier(fk.Name)} FOREIGN KEY ({Join(childColumns)}) REFERENCES {parent} ({Join(parentColumns)}){fk.Tail} NOT VALID");
            toValidate.Add((newTable, fk.Name));
        }

        foreach (var fk in source.IncomingForeignKeys)
        {
            var parentColumns = MapColumns(fk.ParentColumns)
                ?? throw new ShadowCopyException($"Foreign key {fk.ChildSchema}.{fk.ChildTable}.{fk.Name} references a column the ALTER drops.", ExitCodes.CutOverFailed);
            var child = D.Qualified(fk.ChildSchema, fk.ChildTable);
            Add($"ALTER TABLE {child} DROP CONSTRAINT {D.QuoteIdentifier(fk.Name)}");
            Add($"ALTER TABLE {child} ADD CONSTRAINT {D.QuoteIdentifier(fk.Name)} FOREIGN KEY ({Join(fk.ChildColumns)}) REFERENCES {newTable} ({Join(parentColumns)}){fk.Tail} NOT VALID");
            toValidate.Add((child, fk.Name));
        }

        return list;
    }

    private List<string>? MapColumns(IReadOnlyList<string> sourceColumns)
    {
        var result = new List<string>();
        foreach (var name in sourceColumns)
        {
            var map = run.Mapping!.Copied.FirstOrDefault(c => c.SourceName == name);
            if (map is null)
            {
                return null;
            }

            result.Add(map.ShadowName);
        }

        return result;
    }

    private static string Join(IEnumerable<string> columns) => string.Join(", ", columns.Select(D.QuoteIdentifier));
}
