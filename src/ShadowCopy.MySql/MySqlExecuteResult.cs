namespace ShadowCopy.MySql;

/// <summary>Outcome of a statement without rows: affected (found) rows summed over a multi-statement batch, and whether it raised warnings.</summary>
internal sealed record MySqlExecuteResult(ulong AffectedRows, ulong LastInsertId, int Warnings);
