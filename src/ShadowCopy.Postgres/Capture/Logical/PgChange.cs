using NpgsqlTypes;

namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>A decoded change (or a commit marker with its end LSN) of the original table.</summary>
internal sealed record PgChange(PgChangeKind Kind, PgRelationShape Relation, PgTuple? NewRow, PgTuple? OldRow, NpgsqlLogSequenceNumber Lsn);
