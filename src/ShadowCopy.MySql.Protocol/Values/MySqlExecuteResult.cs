namespace ShadowCopy.MySql.Protocol;

/// <summary>Outcome of a statement without rows (the OK packet), summed over every statement of a multi-statement batch.</summary>
public sealed record MySqlExecuteResult(ulong AffectedRows, ulong LastInsertId, int Warnings, MySqlServerStatus Status, string Info);
