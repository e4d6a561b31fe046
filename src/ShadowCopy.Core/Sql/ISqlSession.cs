namespace ShadowCopy.Core.Sql;

/// <summary>
/// One database session. Arguments are positional parameters ($1… on PostgreSQL, ? on MySQL);
/// identifiers never travel as parameters: they go through the dialect's one quoting function.
/// Every statement is reported to <see cref="Transcript"/> so a dry run can show the exact SQL.
/// </summary>
public interface ISqlSession : IAsyncDisposable
{
    SqlTranscript Transcript { get; }

    Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken);

    Task<IReadOnlyList<object?[]>> QueryAsync(string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken);
}
