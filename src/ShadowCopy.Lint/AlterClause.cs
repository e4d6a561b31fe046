using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>One comma-separated clause of ALTER TABLE, classified.</summary>
internal sealed record AlterClause(Tokens Tokens, AlterAction Action, ConstraintKind Constraint, ColumnDefinition? Column, string? ColumnName, string? Value)
{
    public SqlToken First => Tokens[0];

    /// <summary>ADD CONSTRAINT … NOT VALID (PostgreSQL): added without checking existing rows.</summary>
    public bool NotValid => Tokens.Has("NOT", "VALID");

    public bool UsingIndex => Tokens.Has("USING", "INDEX");

    public static AlterClause Parse(Tokens t, LintDialect dialect)
    {
        if (t.Count == 0)
        {
            return new AlterClause(t, AlterAction.Other, ConstraintKind.None, null, null, null);
        }

        if (t.Word(0, "ADD"))
        {
            var i = 1;
            var kind = ConstraintAt(t, i, out var constraintStart);
            if (kind != ConstraintKind.None)
            {
                var action = kind is ConstraintKind.Index or ConstraintKind.Fulltext or ConstraintKind.Spatial ? AlterAction.AddIndex : AlterAction.AddConstraint;
                return new AlterClause(t, action, kind, null, null, t.Text(constraintStart));
            }

            i = SkipIfExists(t, t.Word(1, "COLUMN") ? 2 : 1);
            var column = ColumnDefinition.Parse(t, i, dialect);
            return new AlterClause(t, AlterAction.AddColumn, ConstraintKind.None, column, column?.Name, null);
        }

        if (t.Word(0, "DROP"))
        {
            if (t.Words(1, "PRIMARY", "KEY"))
            {
                return new AlterClause(t, AlterAction.DropPrimaryKey, ConstraintKind.PrimaryKey, null, null, null);
            }

            if (t.Word(1, "CONSTRAINT") || t.Word(1, "FOREIGN") || t.Word(1, "CHECK"))
            {
                return new AlterClause(t, AlterAction.DropConstraint, ConstraintKind.None, null, null, null);
            }

            if (t.Word(1, "INDEX") || t.Word(1, "KEY"))
            {
                return new AlterClause(t, AlterAction.DropIndex, ConstraintKind.Index, null, null, null);
            }

            var i = SkipIfExists(t, t.Word(1, "COLUMN") ? 2 : 1);
            return new AlterClause(t, AlterAction.DropColumn, ConstraintKind.None, null, Name(t, i, dialect), null);
        }

        if (t.Word(0, "ALTER"))
        {
            var i = t.Word(1, "COLUMN") ? 2 : 1;
            var name = Name(t, i, dialect);
            var action = AlterAction.Other;
            if (t.Word(i + 1, "TYPE") || t.Words(i + 1, "SET", "DATA", "TYPE"))
            {
                action = AlterAction.AlterColumnType;
            }
            else if (t.Words(i + 1, "SET", "NOT", "NULL"))
            {
                action = AlterAction.SetNotNull;
            }
            else if (t.Words(i + 1, "DROP", "NOT", "NULL"))
            {
                action = AlterAction.DropNotNull;
            }
            else if (t.Words(i + 1, "SET", "DEFAULT"))
            {
                action = AlterAction.SetDefault;
            }
            else if (t.Words(i + 1, "DROP", "DEFAULT"))
            {
                action = AlterAction.DropDefault;
            }

            var typeStart = t.Word(i + 1, "TYPE") ? i + 2 : i + 4;
            var column = action == AlterAction.AlterColumnType ? ColumnDefinition.Parse(t.Slice(typeStart - 1, t.Count), 0, dialect) : null;
            return new AlterClause(t, action, ConstraintKind.None, column, name, null);
        }

        if (t.Word(0, "MODIFY"))
        {
            var column = ColumnDefinition.Parse(t, t.Word(1, "COLUMN") ? 2 : 1, dialect);
            return new AlterClause(t, AlterAction.ModifyColumn, ConstraintKind.None, column, column?.Name, null);
        }

        if (t.Word(0, "CHANGE"))
        {
            var i = t.Word(1, "COLUMN") ? 2 : 1;
            var column = ColumnDefinition.Parse(t, i + 1, dialect);
            return new AlterClause(t, AlterAction.ChangeColumn, ConstraintKind.None, column, Name(t, i, dialect), null);
        }

        if (t.Word(0, "RENAME"))
        {
            if (t.Word(1, "COLUMN"))
            {
                return new AlterClause(t, AlterAction.RenameColumn, ConstraintKind.None, null, Name(t, 2, dialect), t.Text(4));
            }

            if (t.Word(1, "INDEX") || t.Word(1, "KEY") || t.Word(1, "CONSTRAINT"))
            {
                return new AlterClause(t, AlterAction.RenameIndex, ConstraintKind.None, null, null, null);
            }

            if (t.Word(1, "TO") || t.Word(1, "AS") || (dialect != LintDialect.Postgres && t.Count == 2))
            {
                return new AlterClause(t, AlterAction.RenameTable, ConstraintKind.None, null, null, t.Text(t.Count - 1));
            }

            // PostgreSQL allows RENAME old TO new without COLUMN.
            return new AlterClause(t, AlterAction.RenameColumn, ConstraintKind.None, null, Name(t, 1, dialect), t.Text(3));
        }

        if (t.Word(0, "ALGORITHM") || t.Word(0, "LOCK"))
        {
            var value = t.Punct(1, "=") ? t.Text(2) : t.Text(1);
            return new AlterClause(t, t.Word(0, "LOCK") ? AlterAction.Lock : AlterAction.Algorithm, ConstraintKind.None, null, null, value?.ToUpperInvariant());
        }

        if (t.Words(0, "VALIDATE", "CONSTRAINT"))
        {
            return new AlterClause(t, AlterAction.ValidateConstraint, ConstraintKind.None, null, null, t.Text(2));
        }

        if (t.Words(0, "CONVERT", "TO"))
        {
            return new AlterClause(t, AlterAction.ConvertCharset, ConstraintKind.None, null, null, null);
        }

        if (dialect != LintDialect.Postgres && (t.Word(0, "ENGINE") || t.Word(0, "FORCE") || t.Word(0, "ROW_FORMAT") || t.Word(0, "KEY_BLOCK_SIZE")))
        {
            return new AlterClause(t, AlterAction.Rebuild, ConstraintKind.None, null, null, t.Text(0)?.ToUpperInvariant());
        }

        if (dialect == LintDialect.Postgres && (t.Words(0, "SET", "LOGGED") || t.Words(0, "SET", "UNLOGGED") || t.Words(0, "SET", "TABLESPACE")))
        {
            return new AlterClause(t, AlterAction.SetLoggedOrTablespace, ConstraintKind.None, null, null, t.Text(1));
        }

        return new AlterClause(t, AlterAction.Other, ConstraintKind.None, null, null, null);
    }

    private static ConstraintKind ConstraintAt(Tokens t, int i, out int start)
    {
        start = i;
        if (t.Word(i, "CONSTRAINT"))
        {
            // CONSTRAINT name <kind>; MySQL allows CONSTRAINT without a name before the kind.
            i = ConstraintKindAt(t, i + 1) != ConstraintKind.None ? i + 1 : i + 2;
        }

        start = i;
        return ConstraintKindAt(t, i);
    }

    private static ConstraintKind ConstraintKindAt(Tokens t, int i)
    {
        if (t.Words(i, "PRIMARY", "KEY"))
        {
            return ConstraintKind.PrimaryKey;
        }

        if (t.Word(i, "UNIQUE"))
        {
            return ConstraintKind.Unique;
        }

        if (t.Words(i, "FOREIGN", "KEY"))
        {
            return ConstraintKind.ForeignKey;
        }

        if (t.Word(i, "CHECK"))
        {
            return ConstraintKind.Check;
        }

        if (t.Word(i, "EXCLUDE"))
        {
            return ConstraintKind.Exclude;
        }

        if (t.Word(i, "FULLTEXT"))
        {
            return ConstraintKind.Fulltext;
        }

        if (t.Word(i, "SPATIAL"))
        {
            return ConstraintKind.Spatial;
        }

        return t.Word(i, "INDEX") || t.Word(i, "KEY") ? ConstraintKind.Index : ConstraintKind.None;
    }

    private static int SkipIfExists(Tokens t, int i) =>
        t.Words(i, "IF", "NOT", "EXISTS") ? i + 3 : t.Words(i, "IF", "EXISTS") ? i + 2 : i;

    private static string? Name(Tokens t, int i, LintDialect dialect) =>
        i < t.Count && t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier ? Tokens.Identifier(t[i], dialect) : null;
}
