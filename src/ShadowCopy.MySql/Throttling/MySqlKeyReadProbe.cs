using System.Diagnostics;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Throttling;

/// <summary>
/// The latency guard's key read (ADR 0033) on a connection of its own: the guard reads in the
/// background while the throttle gate uses <see cref="MySqlServerProbe"/>'s connection, and one
/// connection runs one statement at a time. A failed read drops the connection; the next one reopens.
/// </summary>
internal sealed class MySqlKeyReadProbe(MySqlSettings settings, TableName table) : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly MySqlSettings _settings = settings with { ConnectTimeout = TimeSpan.FromSeconds(3), CommandTimeout = ReadTimeout };
    private readonly SqlTranscript _transcript = new() { Enabled = false };
    private MySqlSession? _session;

    public async Task<TimeSpan> ReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        var sql = AppLatencyGuard.KeyReadSql(MySqlStatements.Q(table.Schema, table.Name), keyColumns.Select(MySqlStatements.Q));
        try
        {
            if (_session is not { IsBroken: false })
            {
                await DropAsync().ConfigureAwait(false);
                _session = await MySqlSession.OpenAsync(_settings, _transcript, cancellationToken).ConfigureAwait(false);
            }

            var watch = Stopwatch.StartNew();
            await _session.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
            return watch.Elapsed;
        }
        catch (Exception error) when (error is not MySqlServerException)
        {
            await DropAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(DropAsync());

    private async Task DropAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
            _session = null;
        }
    }
}
