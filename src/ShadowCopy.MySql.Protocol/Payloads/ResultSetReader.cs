using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Payloads;

/// <summary>
/// Reads the response to COM_QUERY: OK, ERR, or result sets (column count, column definitions, [EOF], rows,
/// EOF/OK), repeated while SERVER_MORE_RESULTS_EXISTS is set (Text Resultset, multi-resultset).
/// </summary>
internal sealed class ResultSetReader
{
    private readonly Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>> _read;
    private readonly bool _deprecateEof;
    private readonly Action<MySqlServerStatus> _onStatus;

    public ResultSetReader(Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>> read, bool deprecateEof, Action<MySqlServerStatus> onStatus)
    {
        _read = read;
        _deprecateEof = deprecateEof;
        _onStatus = onStatus;
    }

    public async Task<IReadOnlyList<MySqlResultSet>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var results = new List<MySqlResultSet>();
        MySqlServerException? error = null;
        while (true)
        {
            var payload = await _read(cancellationToken).ConfigureAwait(false);
            var span = payload.Span;
            if (span.Length == 0)
            {
                throw new MySqlProtocolException("Empty packet where a result was expected.");
            }

            MySqlServerStatus status;
            if (span[0] == 0x00)
            {
                var ok = OkPayload.Parse(span);
                results.Add(new MySqlResultSet([], [], ok.Warnings, ok.Status, ok.AffectedRows, ok.LastInsertId, ok.Info));
                status = ok.Status;
            }
            else if (span[0] == 0xFF)
            {
                // An error ends the batch: later statements of a multi-statement batch are not run.
                error = ErrorPayload.Parse(span).ToException();
                break;
            }
            else if (span[0] == 0xFB)
            {
                throw new MySqlProtocolException("LOAD DATA LOCAL INFILE is not supported.");
            }
            else
            {
                var result = await ReadResultSetAsync(ReadColumnCount(span), cancellationToken).ConfigureAwait(false);
                results.Add(result);
                status = result.Status;
            }

            _onStatus(status);
            if ((status & MySqlServerStatus.MoreResultsExist) == 0)
            {
                break;
            }
        }

        if (error is not null)
        {
            throw error;
        }

        return results;
    }

    private static int ReadColumnCount(ReadOnlySpan<byte> span)
    {
        var reader = new PacketReader(span);
        var count = reader.ReadLengthEncodedInteger();
        if (count == 0 || count > 4096 || !reader.IsAtEnd)
        {
            throw new MySqlProtocolException($"Invalid column count packet ({count}).");
        }

        return (int)count;
    }

    private async Task<MySqlResultSet> ReadResultSetAsync(int columnCount, CancellationToken cancellationToken)
    {
        var columns = new MySqlColumn[columnCount];
        for (var i = 0; i < columnCount; i++)
        {
            var payload = await _read(cancellationToken).ConfigureAwait(false);
            columns[i] = ColumnDefinitionPayload.Parse(payload.Span);
        }

        var deprecateEof = _deprecateEof;
        if (!deprecateEof)
        {
            var eof = await _read(cancellationToken).ConfigureAwait(false);
            if (!EofPayload.IsEof(eof.Span))
            {
                throw new MySqlProtocolException("Expected EOF after column definitions.");
            }
        }

        var decoder = new TextRowDecoder(columns);
        var rows = new List<MySqlRow>();
        while (true)
        {
            var payload = await _read(cancellationToken).ConfigureAwait(false);
            var span = payload.Span;
            if (span.Length > 0 && span[0] == 0xFF)
            {
                throw ErrorPayload.Parse(span).ToException();
            }

            // EOF (or OK under CLIENT_DEPRECATE_EOF) ends the rows; a row can only start with 0xFE when its
            // first value is 16 MB or more, so the payload length tells them apart.
            if (span.Length > 0 && span[0] == 0xFE && span.Length < (deprecateEof ? PacketChannel.MaxPacketSize : 9))
            {
                var (warnings, status) = deprecateEof ? FromOk(OkPayload.Parse(span)) : FromEof(EofPayload.Parse(span));
                return new MySqlResultSet(columns, rows, warnings, status, 0, 0, string.Empty);
            }

            rows.Add(decoder.Decode(span));
        }
    }

    private static (int, MySqlServerStatus) FromOk(OkPayload ok) => (ok.Warnings, ok.Status);

    private static (int, MySqlServerStatus) FromEof(EofPayload eof) => (eof.Warnings, eof.Status);
}
