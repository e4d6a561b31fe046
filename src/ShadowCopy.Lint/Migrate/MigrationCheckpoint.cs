namespace ShadowCopy.Lint.Migrate;

/// <summary>
/// A migration's progress on the server: which file set (by content hash), how many statements it
/// has, and how many are done, in order. <c>--resume</c> continues after <see cref="Done"/>.
/// </summary>
public sealed record MigrationCheckpoint(string Id, string Files, int Statements, int Done);
