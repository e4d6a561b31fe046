using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Postgres.Model;

/// <summary>
/// How the original maps onto the shadow. The shadow is created LIKE the original, so its columns
/// start as attnum 1..n in the order of the original's live columns; the ALTER keeps the attnum
/// of a renamed or retyped column and gives added ones new numbers. Mapping by attnum therefore
/// follows RENAME COLUMN without parsing the ALTER.
/// </summary>
public sealed record PgMapping(
    IReadOnlyList<ColumnMap> Copied,
    IReadOnlyList<ColumnMap> Key,
    IReadOnlyList<string> Dropped,
    IReadOnlyList<string> Added,
    PgIndex SourceKeyIndex)
{
    /// <summary>Every live column of the original, in attnum order: the row a USING or generation expression is evaluated over.</summary>
    public IReadOnlyList<PgColumn> SourceColumns { get; init; } = [];

    /// <summary>Whether some shadow value is computed from the original row rather than assigned from one column (a USING expression).</summary>
    public bool HasUsing => Copied.Any(c => c.Using is not null);

    private static readonly string[] IntegerWidening = ["smallint", "integer", "bigint"];

    /// <param name="preferredKeyIndex">Index to use as the key when it qualifies (logical capture: the replica identity index).</param>
    /// <param name="usingExpressions">The ALTER's USING expressions by column name (<see cref="PgAlterText.UsingExpressions"/>).</param>
    public static PgMapping Build(PgTable source, PgTable shadow, string? preferredKeyIndex = null, IReadOnlyDictionary<string, string>? usingExpressions = null)
    {
        usingExpressions ??= new Dictionary<string, string>();
        var live = source.Columns;
        var byShadowAttNum = new Dictionary<short, PgColumn>();
        foreach (var column in shadow.Columns)
        {
            byShadowAttNum[column.AttNum] = column;
        }

        var copied = new List<ColumnMap>();
        var dropped = new List<string>();
        var sourceToShadow = new Dictionary<short, PgColumn>();
        for (var i = 0; i < live.Count; i++)
        {
            if (byShadowAttNum.TryGetValue((short)(i + 1), out var target))
            {
                sourceToShadow[live[i].AttNum] = target;
                if (target.Generated.Length == 0)
                {
                    copied.Add(new ColumnMap(live[i].Name, target.Name, live[i].Type, target.Type, usingExpressions.GetValueOrDefault(target.Name)));
                }
            }
            else
            {
                dropped.Add(live[i].Name);
            }
        }

        var added = shadow.Columns.Where(c => c.AttNum > live.Count).Select(c => c.Name).ToList();

        var candidates = source.Indexes
            .Where(i => i.IsUnique && i.IsValid && !i.HasPredicate && i.Columns.Count > 0 && i.Columns.All(a => a > 0)
                        && i.ConstraintDeferrable == false
                        && i.Columns.All(a => source.Columns.Single(c => c.AttNum == a).NotNull))
            .OrderByDescending(i => i.Name == preferredKeyIndex)
            .ThenByDescending(i => i.IsPrimary)
            .ThenBy(i => i.Columns.Count)
            .ThenBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.NoUsableKey,
                $"{source.Schema}.{source.Name} has no primary key and no unique index over NOT NULL columns (non-partial, immediate); the copy and the change capture need one. Add a primary key first.");
        }

        foreach (var candidate in candidates)
        {
            if (TryMapKey(source, shadow, candidate, sourceToShadow, usingExpressions, out var key))
            {
                return new PgMapping(copied, key, dropped, added, candidate) { SourceColumns = live };
            }
        }

        throw new PreflightRefusedException(
            RefusalReason.KeyNotMappable,
            $"No key of {source.Schema}.{source.Name} survives the ALTER unchanged ({string.Join(", ", candidates.Select(c => c.Name))}): the shadow needs a unique NOT NULL index over the same columns, with the same type (or integer widening), the same collation and no USING expression. Change the key in a separate step.");
    }

    private static bool TryMapKey(PgTable source, PgTable shadow, PgIndex candidate, Dictionary<short, PgColumn> sourceToShadow, IReadOnlyDictionary<string, string> usingExpressions, out IReadOnlyList<ColumnMap> key)
    {
        key = [];
        var mapped = new List<ColumnMap>();
        var shadowAttNums = new HashSet<short>();
        foreach (var attnum in candidate.Columns)
        {
            var original = source.Columns.Single(c => c.AttNum == attnum);
            // A key whose values a USING expression changes cannot match a row on both sides.
            if (!sourceToShadow.TryGetValue(attnum, out var target) || !target.NotNull || target.Generated.Length > 0 || usingExpressions.ContainsKey(target.Name))
            {
                return false;
            }

            var sameType = original.Type == target.Type
                || (Array.IndexOf(IntegerWidening, original.Type) >= 0 && Array.IndexOf(IntegerWidening, target.Type) >= Array.IndexOf(IntegerWidening, original.Type));
            if (!sameType || original.Collation != target.Collation)
            {
                return false;
            }

            mapped.Add(new ColumnMap(original.Name, target.Name, original.Type, target.Type));
            shadowAttNums.Add(target.AttNum);
        }

        var hasIndex = shadow.Indexes.Any(i => i.IsUnique && i.IsValid && !i.HasPredicate && !i.ConstraintDeferrable
                                               && i.Columns.Count == shadowAttNums.Count && i.Columns.All(shadowAttNums.Contains));
        if (!hasIndex)
        {
            return false;
        }

        key = mapped;
        return true;
    }
}
