using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// Foreign keys across the swap (docs/adr/0026-mysql-foreign-keys-across-the-swap.md). InnoDB names are
/// schema-wide and RENAME TABLE makes every key follow the table it names, so:
/// <list type="bullet">
/// <item>the table's own keys are added to the shadow under temporary names inside the cut-over lock
/// (the shadow equals the original there), follow it through the RENAME, and get their names back
/// after the old table gave them up;</item>
/// <item>the children's keys are re-pointed at the shadow inside the same lock, by the session that
/// holds the children WRITE-locked, so they follow it through the RENAME and never point at the old table.</item>
/// </list>
/// Every ALTER runs with foreign_key_checks=0 and ALGORITHM=NOCOPY: metadata only, never a rebuild;
/// the rows already satisfy the key (the shadow was verified equal to the original while neither could change).
/// </summary>
internal sealed class MySqlForeignKeys
{
    private const string Nocopy = "ALGORITHM=NOCOPY";

    /// <summary>Keys of this attempt that moved: 1 = under the temporary name at the shadow, 2 = under their own name at the shadow.</summary>
    private readonly Dictionary<RepointedKey, int> _repointed = [];
    private bool _shadowCarries;

    private MySqlForeignKeys(IReadOnlyList<MyForeignKey> all, IReadOnlyList<MyForeignKey> own, IReadOnlyList<CarriedKey> carried, IReadOnlyList<RepointedKey> repointed, IReadOnlyList<ChildTable> children)
    {
        All = all;
        Own = own;
        Carried = carried;
        Repointed = repointed;
        Children = children;
    }

    /// <summary>Every key the table takes part in, either side.</summary>
    public IReadOnlyList<MyForeignKey> All { get; }

    /// <summary>The table's own keys (self-references too), carried or not.</summary>
    public IReadOnlyList<MyForeignKey> Own { get; }

    /// <summary>The table's own keys that the new table gets.</summary>
    public IReadOnlyList<CarriedKey> Carried { get; }

    /// <summary>Other tables' keys re-pointed at the new table at the swap.</summary>
    public IReadOnlyList<RepointedKey> Repointed { get; }

    /// <summary>The child tables of <see cref="Repointed"/>, each once, with their size (the dry run's cost).</summary>
    public IReadOnlyList<ChildTable> Children { get; }

    public bool TouchesCutOver => Carried.Count > 0 || Repointed.Count > 0;

    /// <summary>Keys moved for an attempt that has neither swapped nor been undone.</summary>
    public bool Moved => _repointed.Count > 0 || _shadowCarries;

    /// <summary>The RENAME carried the moved keys: nothing to undo any more.</summary>
    public void Swapped()
    {
        _repointed.Clear();
        _shadowCarries = false;
    }

    /// <summary>Test seam: runs after the children point at the shadow and before the RENAME is queued.</summary>
    internal Func<Task>? AfterRepointForTests { get; init; }

    internal sealed record CarriedKey(MyForeignKey Key, string TempName, IReadOnlyList<string> Columns, IReadOnlyList<string> ParentColumns, bool SelfReference);

    internal sealed record RepointedKey(MyForeignKey Key, string TempName, IReadOnlyList<string> NewParentColumns);

    internal sealed record ChildTable(string Schema, string Name, long Rows, long Bytes)
    {
        public string Quoted => MySqlStatements.Q(Schema, Name);
    }

    /// <summary>The temporary name a key carries between two ALTERs (InnoDB refuses one ALTER that drops and adds the same name).</summary>
    internal static string TempName(string name) => HelperObjectNames.Derive(name, "fk", 64);

    /// <summary>The original name of a temporary one, where it was not shortened with a hash.</summary>
    internal static string? OriginalOf(string tempName) =>
        tempName.Length > 4 && tempName.StartsWith('_') && tempName.EndsWith("_fk", StringComparison.Ordinal) && !tempName.Contains('~', StringComparison.Ordinal)
            ? tempName[1..^3]
            : null;

    // ---- reading ----------------------------------------------------------------------------------

    /// <summary>Keys of <paramref name="table"/> (as child) and keys referencing it (as parent); only those the user can see.</summary>
    public static async Task<IReadOnlyList<MyForeignKey>> ReadAsync(MySqlSession session, string schema, string table, CancellationToken cancellationToken)
    {
        var s = session.Literal(schema);
        var t = session.Literal(table);
        var rows = await session.QueryAsync(
            "SELECT rc.CONSTRAINT_NAME, rc.CONSTRAINT_SCHEMA, rc.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, rc.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.UPDATE_RULE, rc.DELETE_RULE " +
            "FROM information_schema.REFERENTIAL_CONSTRAINTS rc JOIN information_schema.KEY_COLUMN_USAGE k " +
            "ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND k.TABLE_NAME = rc.TABLE_NAME AND k.REFERENCED_TABLE_NAME IS NOT NULL " +
            $"WHERE (rc.CONSTRAINT_SCHEMA = {s} AND BINARY rc.TABLE_NAME = {t}) OR (rc.UNIQUE_CONSTRAINT_SCHEMA = {s} AND BINARY rc.REFERENCED_TABLE_NAME = {t}) " +
            "ORDER BY rc.CONSTRAINT_SCHEMA, rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows
            .GroupBy(r => (Schema: r.GetString(1), Table: r.GetString(2), Name: r.GetString(0)))
            .Select(g => new MyForeignKey(
                g.Key.Name,
                g.Key.Schema,
                g.Key.Table,
                g.Select(r => r.GetString(3)).ToList(),
                g.First().GetString(4),
                g.First().GetString(5),
                g.Select(r => r.GetString(6)).ToList(),
                g.First().GetString(7),
                g.First().GetString(8)))
            .ToList();
    }

    // ---- preflight --------------------------------------------------------------------------------

    /// <summary>
    /// What the run does with each key, or a refusal where it cannot be done safely. <paramref name="shadow"/>
    /// is the rehearsal's table after the ALTER; <paramref name="mapping"/> maps the original's columns to it.
    /// </summary>
    public static async Task<MySqlForeignKeys> PlanAsync(
        MySqlSession session, TableName table, IReadOnlyList<MyForeignKey> keys, MyTable source, MyTable shadow, MyMapping mapping, AlterOptions options, List<string> warnings, CancellationToken cancellationToken)
    {
        var own = keys.Where(k => k.IsChildOf(table.Schema, table.Name)).ToList();
        var incoming = keys.Where(k => !k.IsChildOf(table.Schema, table.Name)).ToList();

        // InnoDB makes cascaded changes itself: they reach neither the binlog's row events nor triggers
        // (MariaDB KB "Foreign Keys", "Trigger Limitations"), so capture would miss rows the server changed.
        if (own.FirstOrDefault(k => k.ChangesRows) is { } cascading)
        {
            throw new PreflightRefusedException(
                RefusalReason.ForeignKeys,
                $"{table}'s foreign key {cascading.Describe()} is{cascading.Actions}: rows of {table} that the server changes through it reach neither the binlog nor triggers, so the new table would miss them. Change the key to RESTRICT or NO ACTION for the run, or alter the table with the server's own ALTER TABLE. Nothing was changed.");
        }

        IReadOnlyList<MyForeignKey> repoint = options.RepointForeignKeys ? incoming : [];
        if (!options.RepointForeignKeys)
        {
            warnings.AddRange(incoming.Select(k => $"foreign key {k.Describe()} is not re-pointed (--allow-foreign-keys): after the swap it references the old table; pass --repoint-foreign-keys to move it"));
        }

        var carried = new List<CarriedKey>();
        foreach (var key in own)
        {
            var columns = ShadowColumns(mapping, key.ChildColumns);
            if (columns is null)
            {
                warnings.Add($"foreign key {key.Describe()} is not carried: the ALTER drops one of its columns");
                continue;
            }

            CheckSameTypes(table, key, source, shadow, mapping, key.ChildColumns, "its column");
            CheckIndexed(table, key, shadow, columns, "its columns");
            var self = key.IsParentOf(table.Schema, table.Name);
            var parentColumns = self ? ReferencedColumns(table, key, source, shadow, mapping) : key.ParentColumns;
            carried.Add(new CarriedKey(key, TempName(key.Name), columns, parentColumns, self));
        }

        // Children: only after the table's own keys' checks, so those refusals say what is wrong with the ALTER.
        if (incoming.Count > 0 && !options.RepointForeignKeys && !options.AllowForeignKeys)
        {
            throw new PreflightRefusedException(RefusalReason.ForeignKeys, IncomingRefusal(table, incoming));
        }

        var repointed = repoint.Select(k => new RepointedKey(k, TempName(k.Name), ReferencedColumns(table, k, source, shadow, mapping))).ToList();
        await CheckTempNamesFreeAsync(session, table, carried.Select(c => (table.Schema, c.TempName)).Concat(repointed.Select(r => (r.Key.ChildSchema, r.TempName))), cancellationToken).ConfigureAwait(false);
        var children = new List<ChildTable>();
        foreach (var (schema, name) in repointed.Select(r => (r.Key.ChildSchema, r.Key.ChildTable)).Distinct())
        {
            var size = await session.QueryAsync(
                $"SELECT COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {session.Literal(schema)} AND BINARY TABLE_NAME = {session.Literal(name)}",
                cancellationToken).ConfigureAwait(false);
            children.Add(new ChildTable(schema, name, size.Rows.Count == 0 ? 0 : size.Rows[0].GetInt64(0), size.Rows.Count == 0 ? 0 : size.Rows[0].GetInt64(1)));
        }

        return new MySqlForeignKeys(keys, own, carried, repointed, children);
    }

    /// <summary>Other tables' keys on this one move only when asked (ADR 0026): re-pointing locks and alters other tables.</summary>
    internal static string IncomingRefusal(TableName table, IReadOnlyList<MyForeignKey> incoming) =>
        $"Foreign keys reference {table}: {string.Join(", ", incoming.Select(k => k.Describe()))}; after the swap they would reference the old table. "
        + "Pass --repoint-foreign-keys to move them to the new table inside the cut-over lock (metadata only, see the dry run), or --allow-foreign-keys to accept that they keep pointing at the old table, or drop them first. Nothing was changed.";

    /// <summary>The new table's columns that a referencing key needs: kept, of the same type, indexed.</summary>
    private static List<string> ReferencedColumns(TableName table, MyForeignKey key, MyTable source, MyTable shadow, MyMapping mapping)
    {
        var columns = ShadowColumns(mapping, key.ParentColumns)
            ?? throw new PreflightRefusedException(
                RefusalReason.ForeignKeys,
                $"The ALTER drops a column that foreign key {key.Describe()} references ({string.Join(", ", key.ParentColumns)}); the key could not point at the new table. Drop or change that key first. Nothing was changed.");
        CheckSameTypes(table, key, source, shadow, mapping, key.ParentColumns, "the referenced column");
        CheckIndexed(table, key, shadow, columns, "the referenced columns");
        return columns;
    }

    private static List<string>? ShadowColumns(MyMapping mapping, IReadOnlyList<string> sourceColumns)
    {
        var result = new List<string>();
        foreach (var name in sourceColumns)
        {
            var map = mapping.Copied.FirstOrDefault(c => string.Equals(c.SourceName, name, StringComparison.OrdinalIgnoreCase));
            if (map is null)
            {
                return null;
            }

            result.Add(map.ShadowName);
        }

        return result;
    }

    /// <summary>InnoDB needs both sides of a key alike (type, sign, character set and collation); an ALTER that changes one side breaks the key.</summary>
    private static void CheckSameTypes(TableName table, MyForeignKey key, MyTable source, MyTable shadow, MyMapping mapping, IReadOnlyList<string> columns, string what)
    {
        foreach (var name in columns)
        {
            var before = source.Column(name);
            var map = mapping.Copied.First(c => string.Equals(c.SourceName, name, StringComparison.OrdinalIgnoreCase));
            var after = shadow.Column(map.ShadowName);
            if (before is null || after is null)
            {
                continue;
            }

            if (!string.Equals(before.ColumnType, after.ColumnType, StringComparison.OrdinalIgnoreCase) || !string.Equals(before.Collation, after.Collation, StringComparison.OrdinalIgnoreCase))
            {
                throw new PreflightRefusedException(
                    RefusalReason.ForeignKeys,
                    $"The ALTER changes {what} {name} of foreign key {key.Describe()} from {before.ColumnType}{(before.Collation is null ? string.Empty : " " + before.Collation)} to {after.ColumnType}{(after.Collation is null ? string.Empty : " " + after.Collation)}; both sides of a key must stay alike, so the key could not be kept on {table}'s new table. Drop the key, change both sides, and add it again. Nothing was changed.");
            }
        }
    }

    /// <summary>Adding the key must not build an index on the whole table inside the cut-over lock.</summary>
    private static void CheckIndexed(TableName table, MyForeignKey key, MyTable shadow, List<string> columns, string what)
    {
        var indexed = shadow.Indexes.Any(i => i.Columns.Count >= columns.Count && columns.Select((c, n) => string.Equals(i.Columns[n], c, StringComparison.OrdinalIgnoreCase)).All(x => x));
        if (!indexed)
        {
            throw new PreflightRefusedException(
                RefusalReason.ForeignKeys,
                $"After the ALTER no index of {table}'s new table starts with {what} of foreign key {key.Describe()} ({string.Join(", ", columns)}); InnoDB would have to build one inside the cut-over lock. Keep such an index. Nothing was changed.");
        }
    }

    private static async Task CheckTempNamesFreeAsync(MySqlSession session, TableName table, IEnumerable<(string Schema, string Name)> names, CancellationToken cancellationToken)
    {
        foreach (var (schema, name) in names)
        {
            var taken = await session.ScalarInt64Async(
                $"SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {session.Literal(schema)} AND BINARY CONSTRAINT_NAME = {session.Literal(name)}",
                cancellationToken).ConfigureAwait(false);
            if (taken > 0)
            {
                throw new PreflightRefusedException(
                    RefusalReason.NameConflict,
                    $"A constraint named {schema}.{name} exists; the run needs that name to move {table}'s foreign keys across the swap. Rename it and run again.");
            }
        }
    }

    // ---- statements -------------------------------------------------------------------------------

    /// <summary>The cut-over lock: the original and every child table (their writes check the key being moved).</summary>
    public string LockTables(string source) =>
        string.Join(", ", new[] { $"{source} WRITE" }.Concat(Children.Select(c => $"{c.Quoted} WRITE")));

    /// <summary>Gives the shadow the original's keys under temporary names (inside the cut-over lock).</summary>
    public string AddToShadow(string shadow) =>
        $"ALTER TABLE {shadow} {string.Join(", ", Carried.Select(c => $"ADD CONSTRAINT {MySqlStatements.Q(c.TempName)} {Definition(c.Columns, c.SelfReference ? shadow : Parent(c.Key), c.ParentColumns, c.Key)}"))}, {Nocopy}";

    public string DropFromShadow(string shadow) =>
        $"ALTER TABLE {shadow} {string.Join(", ", Carried.Select(c => $"DROP FOREIGN KEY IF EXISTS {MySqlStatements.Q(c.TempName)}"))}";

    /// <summary>After the swap: the old table gives up the names (and stops checking rows nobody writes any more).</summary>
    public string? DropFromOld(string old) =>
        Own.Count == 0 ? null : $"ALTER TABLE {old} {string.Join(", ", Own.Select(k => $"DROP FOREIGN KEY IF EXISTS {MySqlStatements.Q(k.Name)}"))}";

    /// <summary>After the swap: the new table's keys get their original names.</summary>
    public string RenameOnNew(string source) =>
        $"ALTER TABLE {source} {string.Join(", ", Carried.Select(c => $"DROP FOREIGN KEY {MySqlStatements.Q(c.TempName)}, ADD CONSTRAINT {MySqlStatements.Q(c.Key.Name)} {Definition(c.Columns, c.SelfReference ? source : Parent(c.Key), c.ParentColumns, c.Key)}"))}, {Nocopy}";

    /// <summary>
    /// Re-points one child key at <paramref name="target"/> and keeps its name: two ALTERs, each atomic,
    /// so the child always has exactly one key over those columns.
    /// </summary>
    public static IReadOnlyList<string> Repoint(MyForeignKey key, string name, string tempName, string target, IReadOnlyList<string> parentColumns)
    {
        var child = MySqlStatements.Q(key.ChildSchema, key.ChildTable);
        var definition = Definition(key.ChildColumns, target, parentColumns, key);
        return
        [
            $"ALTER TABLE {child} DROP FOREIGN KEY {MySqlStatements.Q(name)}, ADD CONSTRAINT {MySqlStatements.Q(tempName)} {definition}, {Nocopy}",
            $"ALTER TABLE {child} DROP FOREIGN KEY {MySqlStatements.Q(tempName)}, ADD CONSTRAINT {MySqlStatements.Q(key.Name)} {definition}, {Nocopy}",
        ];
    }

    // ---- cut-over and after ------------------------------------------------------------------------

    /// <summary>
    /// Inside the cut-over lock (<paramref name="locker"/> holds the original and every child WRITE, the
    /// applier is drained and the changed rows compared equal): the shadow gets the original's keys and the
    /// children's keys point at the shadow, so the RENAME carries both. Nothing can write either table or a
    /// child meanwhile, so no row is ever checked against a table that lags.
    /// </summary>
    public async Task PrepareSwapAsync(MySqlSession main, MySqlSession locker, MySqlStatements sql, CancellationToken cancellationToken)
    {
        if (Carried.Count > 0)
        {
            _shadowCarries = true;
            await WithoutChecksAsync(main, () => main.ExecuteAsync(AddToShadow(sql.Shadow), cancellationToken)).ConfigureAwait(false);
        }

        if (Repointed.Count > 0)
        {
            await WithoutChecksAsync(locker, async () =>
            {
                foreach (var key in Repointed)
                {
                    var statements = Repoint(key.Key, key.Key.Name, key.TempName, sql.Shadow, key.NewParentColumns);
                    await locker.ExecuteAsync(statements[0], cancellationToken).ConfigureAwait(false);
                    _repointed[key] = 1;
                    await locker.ExecuteAsync(statements[1], cancellationToken).ConfigureAwait(false);
                    _repointed[key] = 2;
                }
            }).ConfigureAwait(false);
        }

        if (AfterRepointForTests is { } hook)
        {
            await hook().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A failed attempt: the children point at the original again and the shadow drops its keys. Under the
    /// lock (<paramref name="stillLocked"/>) nobody saw the children's keys move. Without it (the lock's session
    /// died) writes ran against keys pointing at a shadow that no longer followed the original, so every
    /// child is checked for rows without a parent and the run stops if it finds any.
    /// </summary>
    public async Task UndoSwapAsync(MySqlSession locker, bool stillLocked, MySqlSession main, MySqlStatements sql, TableName table, HelperObjectNames names, TimeSpan lockTimeout, int attempts, string? why, CancellationToken cancellationToken)
    {
        if (_repointed.Count > 0)
        {
            var underLock = false;
            if (stillLocked && !locker.IsBroken)
            {
                try
                {
                    await UndoChildrenAsync(_ => locker, sql, cancellationToken).ConfigureAwait(false);
                    underLock = true;
                }
                catch (MySqlException)
                {
                    // The lock's session is gone: restore without it below.
                }
            }

            if (!underLock)
            {
                var restored = await RestoreChildrenAsync(main, table, names.Shadow, s => MySqlObjects.WithLockRetriesAsync(main, lockTimeout, attempts, s, cancellationToken), ParentColumnsOf, cancellationToken).ConfigureAwait(false);
                var orphans = await OrphansAsync(main, sql.Source, restored, cancellationToken).ConfigureAwait(false);
                if (orphans.Count > 0)
                {
                    throw new ShadowCopyException(
                        $"The cut-over failed after moving child foreign keys ({why ?? "cancelled"}) and lost its lock before moving them back; meanwhile rows were written that reference no parent row: {string.Join(", ", orphans)}. The keys point at {table} again; repair those rows. Nothing was swapped.",
                        ExitCodes.CutOverFailed);
                }
            }

            _repointed.Clear();
        }

        if (_shadowCarries)
        {
            await MySqlObjects.WithLockRetriesAsync(main, lockTimeout, attempts, DropFromShadow(sql.Shadow), cancellationToken).ConfigureAwait(false);
            _shadowCarries = false;
        }
    }

    /// <summary>
    /// Points the children's keys this attempt moved at the original again, from its own record of what it
    /// did (information_schema would not see the locked tables' keys), each on the session that holds that
    /// child locked: session A, or the child's holder after a RENAME that failed (ADR 0026).
    /// </summary>
    public async Task UndoChildrenAsync(Func<RepointedKey, MySqlSession> sessionOf, MySqlStatements sql, CancellationToken cancellationToken)
    {
        foreach (var (key, state) in _repointed.ToList())
        {
            var session = sessionOf(key);
            await WithoutChecksAsync(session, async () =>
            {
                var back = Repoint(key.Key, key.Key.Name, key.TempName, sql.Source, key.Key.ParentColumns);
                foreach (var statement in state == 2 ? back : [back[1]])
                {
                    await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            _repointed.Remove(key);
        }
    }

    /// <summary>After the swap: the old table drops its keys, then the new table's keys take their names (each ALTER bounded and retried).</summary>
    public async Task FinishAsync(MySqlSession main, MySqlStatements sql, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        Swapped();
        if (DropFromOld(sql.Old) is { } drop)
        {
            await MySqlObjects.WithLockRetriesAsync(main, lockTimeout, attempts, drop, cancellationToken).ConfigureAwait(false);
        }

        if (Carried.Count > 0)
        {
            await WithoutChecksAsync(main, () => MySqlObjects.WithLockRetriesAsync(main, lockTimeout, attempts, RenameOnNew(sql.Source), cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="FinishAsync"/> for a resume after a kill in the cleanup, from the catalog alone: the old
    /// table drops its own keys, then every key of the new table still under a temporary name takes its
    /// original one (a shortened temporary name cannot be turned back and is left as it is).
    /// </summary>
    public static async Task FinishFromCatalogAsync(MySqlSession main, TableName table, string oldName, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        var old = (await ReadAsync(main, table.Schema, oldName, cancellationToken).ConfigureAwait(false)).Where(k => k.IsChildOf(table.Schema, oldName)).ToList();
        if (old.Count > 0)
        {
            var drop = $"ALTER TABLE {MySqlStatements.Q(table.Schema, oldName)} {string.Join(", ", old.Select(k => $"DROP FOREIGN KEY IF EXISTS {MySqlStatements.Q(k.Name)}"))}";
            await MySqlObjects.WithLockRetriesAsync(main, lockTimeout, attempts, drop, cancellationToken).ConfigureAwait(false);
        }

        var source = MySqlStatements.Q(table.Schema, table.Name);
        var renames = (await ReadAsync(main, table.Schema, table.Name, cancellationToken).ConfigureAwait(false))
            .Where(k => k.IsChildOf(table.Schema, table.Name) && OriginalOf(k.Name) is not null)
            .Select(k => $"DROP FOREIGN KEY {MySqlStatements.Q(k.Name)}, ADD CONSTRAINT {MySqlStatements.Q(OriginalOf(k.Name)!)} {Definition(k.ChildColumns, Parent(k), k.ParentColumns, k)}")
            .ToList();
        if (renames.Count > 0)
        {
            await WithoutChecksAsync(main, () => MySqlObjects.WithLockRetriesAsync(main, lockTimeout, attempts, $"ALTER TABLE {source} {string.Join(", ", renames)}, {Nocopy}", cancellationToken)).ConfigureAwait(false);
        }
    }

    private IReadOnlyList<string> ParentColumnsOf(MyForeignKey key) =>
        Repointed.FirstOrDefault(r => r.Key.ChildSchema == key.ChildSchema && r.Key.ChildTable == key.ChildTable && (r.Key.Name == key.Name || r.TempName == key.Name))?.Key.ParentColumns ?? key.ParentColumns;

    /// <summary>
    /// Points every other table's key that references the shadow at the original again, under its original
    /// name (a temporary name left between two ALTERs is turned back), and drops the shadow's own keys; for
    /// cleanup, --resume and failed cut-overs. Returns the keys moved.
    /// </summary>
    public static async Task<IReadOnlyList<MyForeignKey>> RestoreChildrenAsync(
        MySqlSession session, TableName table, string shadowName, Func<string, Task> run, Func<MyForeignKey, IReadOnlyList<string>>? parentColumns, CancellationToken cancellationToken)
    {
        var keys = await ReadAsync(session, table.Schema, shadowName, cancellationToken).ConfigureAwait(false);
        var source = MySqlStatements.Q(table.Schema, table.Name);
        var moved = new List<MyForeignKey>();
        await WithoutChecksAsync(session, async () =>
        {
            foreach (var key in keys)
            {
                if (key.IsChildOf(table.Schema, shadowName))
                {
                    await run($"ALTER TABLE {MySqlStatements.Q(table.Schema, shadowName)} DROP FOREIGN KEY IF EXISTS {MySqlStatements.Q(key.Name)}").ConfigureAwait(false);
                    continue;
                }

                var columns = parentColumns?.Invoke(key) ?? key.ParentColumns;
                if (OriginalOf(key.Name) is { } original)
                {
                    var renamed = key with { Name = original, ParentColumns = columns };
                    await run($"ALTER TABLE {MySqlStatements.Q(key.ChildSchema, key.ChildTable)} DROP FOREIGN KEY {MySqlStatements.Q(key.Name)}, ADD CONSTRAINT {MySqlStatements.Q(original)} {Definition(key.ChildColumns, source, columns, key)}, {Nocopy}").ConfigureAwait(false);
                    moved.Add(renamed);
                    continue;
                }

                foreach (var statement in Repoint(key, key.Name, TempName(key.Name), source, columns))
                {
                    await run(statement).ConfigureAwait(false);
                }

                moved.Add(key with { ParentColumns = columns });
            }
        }).ConfigureAwait(false);
        return moved;
    }

    /// <summary>
    /// For cleanup and --resume after a run that died inside the cut-over: the children point at the
    /// original again; returns what was moved and, for each child, rows that name no parent row.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RepairAsync(MySqlSession session, TableName table, string shadowName, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        var moved = await RestoreChildrenAsync(session, table, shadowName, s => MySqlObjects.WithLockRetriesAsync(session, lockTimeout, attempts, s, cancellationToken), null, cancellationToken).ConfigureAwait(false);
        var orphans = await OrphansAsync(session, MySqlStatements.Q(table.Schema, table.Name), moved, cancellationToken).ConfigureAwait(false);
        return moved.Select(k => $"foreign key {k.Name} of {k.ChildSchema}.{k.ChildTable} (pointed at {table} again)")
            .Concat(orphans.Select(o => $"WARNING: {o} reference no row of {table}"))
            .ToList();
    }

    /// <summary>Rows of the children whose key (all columns set) names no row of <paramref name="parent"/>.</summary>
    private static async Task<IReadOnlyList<string>> OrphansAsync(MySqlSession session, string parent, IReadOnlyList<MyForeignKey> keys, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var key in keys)
        {
            var set = string.Join(" AND ", key.ChildColumns.Select(c => $"c.{MySqlStatements.Q(c)} IS NOT NULL"));
            var match = string.Join(" AND ", key.ChildColumns.Zip(key.ParentColumns).Select(p => $"p.{MySqlStatements.Q(p.Second)} = c.{MySqlStatements.Q(p.First)}"));
            var orphans = await session.ScalarInt64Async(
                $"SELECT COUNT(*) FROM {MySqlStatements.Q(key.ChildSchema, key.ChildTable)} c WHERE {set} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})",
                cancellationToken).ConfigureAwait(false);
            if (orphans > 0)
            {
                found.Add($"{orphans} row(s) of {key.ChildSchema}.{key.ChildTable} ({key.Name})");
            }
        }

        return found;
    }

    private static async Task WithoutChecksAsync(MySqlSession session, Func<Task> action)
    {
        await session.ExecuteAsync("SET SESSION foreign_key_checks = 0", CancellationToken.None).ConfigureAwait(false);
        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            if (!session.IsBroken)
            {
                await session.ExecuteAsync("SET SESSION foreign_key_checks = 1", CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    // ---- dry run ----------------------------------------------------------------------------------

    /// <summary>The cut-over's key statements with each child's cost: its size, and the algorithm (metadata only, no rebuild).</summary>
    public static IEnumerable<PlannedStatement> DescribeSwap(MySqlForeignKeys? keys, MySqlStatements sql)
    {
        if (keys is null || !keys.TouchesCutOver)
        {
            yield break;
        }

        if (keys.Carried.Count > 0)
        {
            yield return new("cut-over (applier session, foreign_key_checks=0)", keys.AddToShadow(sql.Shadow), false, "the table's own keys under temporary names; ALGORITHM=NOCOPY: metadata only, the rows are not checked again (the shadow equals the original here)");
        }

        foreach (var key in keys.Repointed)
        {
            var child = keys.Children.First(c => c.Schema == key.Key.ChildSchema && c.Name == key.Key.ChildTable);
            var cost = $"child {child.Schema}.{child.Name}: about {child.Rows:N0} rows, {child.Bytes / 1048576.0:0.0} MiB; ALGORITHM=NOCOPY with foreign_key_checks=0: metadata only, no rebuild, independent of its size (with checks on the server would copy it: ALGORITHM=COPY); its writes wait on the cut-over lock meanwhile";
            foreach (var statement in Repoint(key.Key, key.Key.Name, key.TempName, sql.Shadow, key.NewParentColumns))
            {
                yield return new("cut-over (session A, foreign_key_checks=0)", statement, false, cost);
            }
        }
    }

    /// <summary>After the swap: the old table drops its keys, the new table's get their names.</summary>
    public static IEnumerable<PlannedStatement> DescribeAfterSwap(MySqlForeignKeys? keys, MySqlStatements sql)
    {
        if (keys?.DropFromOld(sql.Old) is { } drop)
        {
            yield return new("after cut-over", drop, false, "metadata only; lock_wait_timeout, retried");
        }

        if (keys is { Carried.Count: > 0 })
        {
            yield return new("after cut-over (foreign_key_checks=0)", keys.RenameOnNew(sql.Source), false, "ALGORITHM=NOCOPY: metadata only; lock_wait_timeout, retried");
        }
    }

    private static string Parent(MyForeignKey key) => MySqlStatements.Q(key.ParentSchema, key.ParentTable);

    private static string Definition(IReadOnlyList<string> columns, string parent, IReadOnlyList<string> parentColumns, MyForeignKey key) =>
        $"FOREIGN KEY ({string.Join(", ", columns.Select(MySqlStatements.Q))}) REFERENCES {parent} ({string.Join(", ", parentColumns.Select(MySqlStatements.Q))}){key.Actions}";
}
