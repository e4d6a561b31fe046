namespace ShadowCopy.MySql.External;

/// <summary>
/// What a tool's command line needs from the run: the 0600 option file holding the password
/// (never an argument: process lists), the new table's name, and (gh-ost) the flag file that
/// holds its cut-over back while we verify.
/// </summary>
public sealed record ToolRun(string OptionFile, string NewTableName, string? CutOverFlagFile);
