namespace ShadowCopy.Postgres.Capture;

internal enum PgChangeKind
{
    Insert,
    Update,
    Delete,
    Truncate,
    Commit,
}
