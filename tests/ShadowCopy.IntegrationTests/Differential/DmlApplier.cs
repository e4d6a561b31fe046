namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Applies generated transactions to the table under ALTER and then, identically, to the control
/// table, and keeps score: a transaction that commits on one and fails on the other means the tool
/// broke the application's writes; one that fails on both is a generator defect (a value the
/// original column cannot hold), which would quietly weaken the test, so both are failures.
/// </summary>
internal sealed class DmlApplier(IDiffWriter writer, DmlGenerator dml, string table, string control)
{
    public List<string> Divergences { get; } = [];

    public List<string> BothFailed { get; } = [];

    public int Applied { get; private set; }

    public async Task ApplyAsync(DiffTransaction transaction)
    {
        var onTable = await writer.RunAsync(transaction, table);
        var onControl = await writer.RunAsync(transaction, control);
        Applied++;
        if (onTable is not null && onControl is not null)
        {
            BothFailed.Add($"{transaction.Show()} → {onTable}");
        }
        else if (onTable is not null || onControl is not null)
        {
            Divergences.Add($"{transaction.Show()} → table: {onTable ?? "committed"}; control: {onControl ?? "committed"}");
        }
    }

    /// <summary>Applies <paramref name="count"/> random transactions, one after the other.</summary>
    public async Task WindowAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await ApplyAsync(dml.Next());
        }
    }
}
