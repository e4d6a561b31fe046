namespace ShadowCopy.Postgres.Verify;

/// <summary>How the verification checksum turns a row into a 64-bit hash (ADR 0015).</summary>
internal enum PgRowHash
{
    /// <summary>
    /// <c>hashtextextended(ROW(…)::text, 0)</c>: the row's text form. Any version, any column type;
    /// about twice the CPU of <see cref="Binary"/>, most of it in the types' output functions.
    /// </summary>
    Text,

    /// <summary>
    /// <c>hash_record_extended(ROW(record_send(ROW(…))), 0)</c>: one 64-bit hash over the row's binary
    /// wire form. Needs PostgreSQL 14 (hash_record_extended) and a binary send function for every
    /// type in the row.
    /// </summary>
    Binary,
}
