namespace ShadowCopy.Postgres.Capture;

/// <summary>The stream did not deliver the fence in time; the locked step gives up and is retried.</summary>
public sealed class PgFenceTimeoutException(string message) : Exception(message);
