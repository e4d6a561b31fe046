namespace ShadowCopy.Postgres.Capture.Logical;

internal enum PgChangeKind
{
    Insert,
    Update,
    Delete,
    Truncate,
    Commit,
}
