using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres;

/// <summary>Catalog-only refusals (docs/user-guide.md#refusals). Each says what to do instead.</summary>
internal static class PgPreflight
{
    public static void CheckTable(PgTable table, AlterOptions options)
    {
        var name = $"{table.Schema}.{table.Name}";
        if (table.Kind == "p" || table.IsPartition || table.HasInheritance)
        {
            throw new PreflightRefusedException(
                RefusalReason.PartitionedTable,
                $"{name} is partitioned, a partition, or part of an inheritance tree; shadowcopy does not rewrite those. Alter the partitions one by one or use native partition DDL.");
        }

        if (table.Kind != "r")
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{name} is not an ordinary table (relkind '{table.Kind}').");
        }

        if (table.Persistence == "t")
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{name} is a temporary table; alter it directly.");
        }

        if (!table.CanOwn)
        {
            throw new PreflightRefusedException(
                RefusalReason.MissingPrivileges,
                $"The connecting role is not the owner of {name} (owner: {table.Owner}) nor a member of that role; renaming the table and installing triggers need ownership. Connect as {table.Owner} or GRANT {table.Owner} TO the connecting role.");
        }

        if (!table.CanCreateInSchema)
        {
            throw new PreflightRefusedException(
                RefusalReason.MissingPrivileges,
                $"The connecting role lacks CREATE on schema {table.Schema}; the shadow, change log and trigger function are created there. GRANT CREATE ON SCHEMA {table.Schema} TO the connecting role.");
        }

        if (table.IncomingForeignKeys.Count > 0 && !options.RepointForeignKeys)
        {
            var list = string.Join(", ", table.IncomingForeignKeys.Select(f => $"{f.ChildSchema}.{f.ChildTable}.{f.Name}"));
            throw new PreflightRefusedException(
                RefusalReason.ForeignKeys,
                $"Foreign keys reference {name} ({list}). After the swap they would point at the old table. Pass --repoint-foreign-keys to re-create them on the new table at cut-over (NOT VALID, then VALIDATE), or drop them first.");
        }

        if (table.DependentViews.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.DependentViews,
                $"Views depend on {name} ({string.Join(", ", table.DependentViews)}); after the swap they would read the old table. Drop them and re-create them after the change.");
        }

        var userTriggers = table.UserTriggers.Where(t => t != HelperObjectNames.For(table.Name, PgDialect.Instance.MaxIdentifierBytes).Trigger).ToList();
        if (userTriggers.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.UnsupportedTable,
                $"{name} has triggers ({string.Join(", ", userTriggers)}) that the new table would not carry. Drop them before and re-create them after, or alter the table directly.");
        }

        if (table.RowSecurity)
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{name} has row-level security enabled; its policies would not follow the swap.");
        }

        if (table.Publications.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.UnsupportedTable,
                $"{name} is listed in publications ({string.Join(", ", table.Publications)}); the new table would not be. Remove it from them first (ALTER PUBLICATION … DROP TABLE) and add it back after.");
        }
    }
}
