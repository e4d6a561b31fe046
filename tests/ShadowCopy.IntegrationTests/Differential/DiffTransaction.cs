namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Statements applied in one transaction, first to the table under ALTER, then to the control table:
/// each statement is built from the qualified table name, so both receive exactly the same text.
/// </summary>
internal sealed record DiffTransaction(IReadOnlyList<Func<string, string>> Statements, bool Lenient)
{
    public string Show(string table = "T") => string.Join("; ", Statements.Select(s => s(table)));
}
