using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Judges one case after the run. The server's own ALTER of the control table is the oracle:
/// <list type="bullet">
/// <item>it succeeds → ShadowCopy must have succeeded and T must equal C: same column definitions,
/// then the same order-independent checksum over every column, else the differing rows are listed
/// (key, column, T value, C value) with a per-column count, which names the failing pairs;</item>
/// <item>it refuses the data (lossy) → ShadowCopy must refuse too and leave T untouched (T still
/// equals the unaltered C, nothing left behind);</item>
/// <item>it succeeds only with warnings (rounding, truncation) → refusing is accepted as well, the
/// tool's documented stance on lossy changes, provided T is untouched.</item>
/// </list>
/// </summary>
internal sealed class DiffVerdict(IDiffDatabase db, DiffFamily family, string alter, string context)
{
    private const int MaxListed = 25;

    public async Task<string> JudgeAsync(AlterResult result, DmlApplier applier)
    {
        var problems = new List<string>();
        if (applier.BothFailed.Count > 0)
        {
            problems.Add($"{applier.BothFailed.Count} generated transaction(s) failed on both tables (a generator defect that would weaken the test):\n  "
                + string.Join("\n  ", applier.BothFailed.Take(5)));
        }

        if (applier.Divergences.Count > 0)
        {
            problems.Add($"{applier.Divergences.Count} transaction(s) committed on one table and failed on the other (the tool broke the application's writes):\n  "
                + string.Join("\n  ", applier.Divergences.Take(10)));
        }

        var ran = $"ShadowCopy exit {result.ExitCode} ({result.Outcome}: {result.Message})";
        var untouched = result.ExitCode == ExitCodes.Success ? null : await UntouchedProblemAsync();
        var (error, warnings) = await db.AlterControlAsync(alter);
        string summary;
        if (error is not null)
        {
            summary = $"the server's own ALTER refuses ({error}); {ran}";
            if (result.ExitCode == ExitCodes.Success)
            {
                problems.Add($"ShadowCopy swapped in the new table although the server's own ALTER refuses the data: {error}");
            }
            else if (untouched is not null)
            {
                problems.Add($"{ran} like the server ({error}), but the original was not left untouched: {untouched}");
            }
            else if (db.Engine == "postgres" && result.ExitCode != ExitCodes.AlterRejected)
            {
                // Data the new shape cannot hold is a refused conversion (exit 7), not a crash (issue #14).
                problems.Add($"{ran} where the server refuses the data ({error}): expected exit {ExitCodes.AlterRejected} (refused conversion)");
            }
        }
        else if (result.ExitCode != ExitCodes.Success)
        {
            summary = $"{ran}; the server's ALTER succeeds with {warnings.Count} warning(s)";
            if (warnings.Count == 0 || untouched is not null)
            {
                problems.Add($"{ran} although the server's own ALTER succeeds ({(warnings.Count == 0 ? "without warnings" : "warnings: " + string.Join("; ", warnings.Take(3)))})"
                    + (untouched is null ? string.Empty : $"; and the original was not left untouched: {untouched}"));
            }
            else
            {
                summary += $" (lossy, e.g. {warnings[0]}): refusal accepted, original untouched";
            }
        }
        else
        {
            var (equal, report) = await CompareAsync();
            summary = report;
            if (!equal)
            {
                problems.Add($"{ran}, but the final table differs from the server's own ALTER of the control table{(warnings.Count == 0 ? string.Empty : $" (the server warned: {string.Join("; ", warnings.Take(3))})")}:\n{report}");
            }
        }

        if (problems.Count > 0)
        {
            Assert.Fail($"Differential test failed: {context}\nALTER: {alter}\n{string.Join("\n", problems)}");
        }

        return summary;
    }

    /// <summary>Null when T still has the original shape and the same rows as the (unaltered) C and no helper object is left.</summary>
    private async Task<string?> UntouchedProblemAsync()
    {
        var table = await db.ShapeAsync(control: false);
        var control = await db.ShapeAsync(control: true);
        var issues = ShapeDifferences(table, control);
        var columns = control.Select(c => c.Name).ToList();
        var (t, c) = (await db.ChecksumAsync(false, columns), await db.ChecksumAsync(true, columns));
        if (t != c)
        {
            issues.Add($"rows differ from the control (checksum {t} vs {c})");
        }

        var leftovers = await db.LeftoversAsync();
        if (leftovers.Count > 0)
        {
            issues.Add("left behind: " + string.Join(", ", leftovers));
        }

        return issues.Count == 0 ? null : string.Join("; ", issues);
    }

    private async Task<(bool Equal, string Report)> CompareAsync()
    {
        var tableShape = await db.ShapeAsync(control: false);
        var controlShape = await db.ShapeAsync(control: true);
        var shapeIssues = ShapeDifferences(tableShape, controlShape);
        var columns = controlShape.Select(c => c.Name).Where(n => tableShape.Any(t => t.Name == n)).ToList();
        var (t, c) = (await db.ChecksumAsync(false, columns), await db.ChecksumAsync(true, columns));
        if (t == c && shapeIssues.Count == 0)
        {
            return (true, $"equal to the server's ALTER (checksum {t} over {columns.Count} columns)");
        }

        var report = new StringBuilder();
        foreach (var issue in shapeIssues)
        {
            report.Append("  schema: ").AppendLine(issue);
        }

        report.AppendLine($"  checksum over {columns.Count} columns: table {t}, control {c}");
        if (t != c)
        {
            await AppendRowDifferencesAsync(report, columns);
        }

        return (false, report.ToString().TrimEnd());
    }

    private async Task AppendRowDifferencesAsync(StringBuilder report, List<string> columns)
    {
        var tableRows = await db.RowsAsync(false, columns);
        var controlRows = await db.RowsAsync(true, columns);
        var missing = controlRows.Keys.Where(k => !tableRows.ContainsKey(k)).ToList();
        var extra = tableRows.Keys.Where(k => !controlRows.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            report.AppendLine($"  {missing.Count} key(s) missing from the table: {string.Join(", ", missing.Take(MaxListed))}");
        }

        if (extra.Count > 0)
        {
            report.AppendLine($"  {extra.Count} key(s) only in the table: {string.Join(", ", extra.Take(MaxListed))}");
        }

        var cells = new List<(string Key, int Column, string? Table, string? Control)>();
        foreach (var (key, expected) in controlRows.OrderBy(r => long.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)))
        {
            if (tableRows.TryGetValue(key, out var actual))
            {
                cells.AddRange(Enumerable.Range(0, columns.Count).Where(i => actual[i] != expected[i]).Select(i => (key, i, actual[i], expected[i])));
            }
        }

        // Per column: which pairs fail, how often, with an example.
        foreach (var group in cells.GroupBy(x => x.Column).OrderBy(g => g.Key))
        {
            var first = group.First();
            report.AppendLine($"  column {columns[group.Key]}{PairOf(columns[group.Key])}: {group.Count()} of {controlRows.Count} rows differ, e.g. key {first.Key}: table {db.Display(first.Table)}, control {db.Display(first.Control)}");
        }

        report.AppendLine($"  first differing values (key, column: table | control):");
        foreach (var cell in cells.Take(MaxListed))
        {
            report.AppendLine($"    {cell.Key}, {columns[cell.Column]}: {db.Display(cell.Table)} | {db.Display(cell.Control)}");
        }
    }

    private string PairOf(string column)
    {
        var pair = family.Pairs.FirstOrDefault(p => p.Id == column || p.CompanionId == column);
        return pair is null ? string.Empty : $" [{pair.Definition.Replace("{c}", pair.Id, StringComparison.Ordinal)} → {pair.Alter.Replace("{c}", pair.Id, StringComparison.Ordinal).Replace("{g}", pair.CompanionId, StringComparison.Ordinal)}]";
    }

    private static List<string> ShapeDifferences(IReadOnlyList<(string Name, string Definition)> table, IReadOnlyList<(string Name, string Definition)> control)
    {
        var issues = new List<string>();
        foreach (var (name, definition) in control)
        {
            var actual = table.FirstOrDefault(t => t.Name == name);
            if (actual.Name is null)
            {
                issues.Add($"column {name} missing from the table (control: {definition})");
            }
            else if (actual.Definition != definition)
            {
                issues.Add($"column {name}: table {actual.Definition} | control {definition}");
            }
        }

        issues.AddRange(table.Where(t => control.All(c => c.Name != t.Name)).Select(t => $"column {t.Name} only in the table ({t.Definition})"));
        return issues;
    }
}
