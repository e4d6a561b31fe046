namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>
/// One row image from the stream, as text. <see cref="Present"/>[i] is false for a value the
/// stream did not carry (an unchanged TOASTed value), which must never be written as NULL.
/// </summary>
internal sealed record PgTuple(string?[] Values, bool[] Present);
