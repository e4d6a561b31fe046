namespace ShadowCopy.MySql;

/// <summary>One result-set column: its name and the server's type name (DATE, DATETIME, TIME…, as the driver reports it).</summary>
internal sealed record MySqlColumn(string Name, string TypeName)
{
    /// <summary>DATE, DATETIME, TIMESTAMP, TIME, YEAR: written as quoted text in a literal.</summary>
    public bool IsTemporal => TypeName is "DATE" or "DATETIME" or "TIMESTAMP" or "TIME" or "NEWDATE";

    public override string ToString() => $"{Name} {TypeName}";
}
