using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Postgres;

/// <summary>
/// The latency guard's key read (ADR 0033) on a session of its own: the guard reads in the
/// background while the throttle gate uses <c>_probe</c>, and one Npgsql connection runs one
/// command at a time. A failed read drops the session; the next read opens a new one.
/// </summary>
public sealed partial class PgAlterBackend
{
    private PgSession? _keyRead;

    public async Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        var sql = AppLatencyGuard.KeyReadSql(D.Qualified(Table), keyColumns.Select(D.QuoteIdentifier));
        try
        {
            _keyRead ??= await OpenProbeSessionAsync(_settings, cancellationToken).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            await _keyRead.QueryAsync(sql, null, cancellationToken).ConfigureAwait(false);
            return watch.Elapsed;
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            await CloseKeyReadAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CloseKeyReadAsync()
    {
        if (_keyRead is not null)
        {
            await _keyRead.DisposeAsync().ConfigureAwait(false);
            _keyRead = null;
        }
    }
}
