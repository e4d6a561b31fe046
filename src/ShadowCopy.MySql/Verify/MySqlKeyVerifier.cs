using System.Diagnostics;
using System.Globalization;
using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Verify;

/// <summary>
/// Delta verification on MySQL/MariaDB (docs/adr/0019): the keys of one round are numbered into a
/// session-private table on the source's and on the shadow's session; at a consistent point each
/// side returns every key's row hashes (the chunk checksum's row text), which must agree.
/// </summary>
internal sealed class MySqlKeyVerifier
{
    private readonly MySqlRun _run;
    private readonly IMySqlCapture _capture;
    private readonly MySqlChecksumSource _checksums;
    private MySqlSession? _source;
    private MySqlSession? _shadow;

    public MySqlKeyVerifier(MySqlRun run, IMySqlCapture capture, MySqlChecksumSource checksums)
    {
        _run = run;
        _capture = capture;
        _checksums = checksums;
    }

    private MySqlStatements Sql => _run.Statements;

    /// <summary>Opens a consistent point of its own and compares the keys' rows there.</summary>
    public async Task<KeyVerifyResult> VerifyAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        _source ??= await _run.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_capture.Binlog is null)
            {
                // One snapshot, no lock: with our triggers, keys the key log still holds there are
                // in flight and judged later (ADR 0020); another tool's triggers write in the writer's transaction.
                var work = Stopwatch.StartNew();
                await LoadKeysAsync(_source, keys, cancellationToken).ConfigureAwait(false);
                work.Stop();
                await _checksums.TakeConsistentPointAsync([_source], cancellationToken).ConfigureAwait(false);
                work.Start();
                var pending = new HashSet<int>();
                if (_capture.Triggers is not null)
                {
                    foreach (var row in (await _source.QueryAsync(Sql.PendingVerifyKeys(), cancellationToken).ConfigureAwait(false)).Rows)
                    {
                        pending.Add((int)row.GetInt64(0));
                    }
                }

                var single = await CompareLoadedAsync(_source, _source, keys, pending, cancellationToken).ConfigureAwait(false) with { CompareTime = work.Elapsed };
                await _source.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
                return single;
            }

            _shadow ??= await _run.OpenAsync(cancellationToken).ConfigureAwait(false);
            var loading = Stopwatch.StartNew();
            await LoadKeysAsync(_source, keys, cancellationToken).ConfigureAwait(false);
            await LoadKeysAsync(_shadow, keys, cancellationToken).ConfigureAwait(false);
            loading.Stop();
            await _checksums.TakeConsistentPointAsync([_source, _shadow], cancellationToken).ConfigureAwait(false);
            var comparing = Stopwatch.StartNew();
            var result = await CompareLoadedAsync(_source, _shadow, keys, pending: null, cancellationToken).ConfigureAwait(false) with { CompareTime = loading.Elapsed + comparing.Elapsed };
            await _source.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            await _shadow.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch
        {
            await CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Compares the keys' rows where neither table can change (the cut-over's lock, after its final
    /// drain): <paramref name="source"/> may hold the original locked, <paramref name="shadow"/> reads the shadow.
    /// </summary>
    public async Task<KeyVerifyResult> CompareAsync(MySqlSession source, MySqlSession shadow, IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return KeyVerifyResult.Empty;
        }

        await LoadKeysAsync(source, keys, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(source, shadow))
        {
            await LoadKeysAsync(shadow, keys, cancellationToken).ConfigureAwait(false);
        }

        return await CompareLoadedAsync(source, shadow, keys, pending: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the keys' rows from the shadow and copies them again with the copy's statement, under shared locks.</summary>
    public async Task RecopyAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        var main = _run.MainSession;
        foreach (var batch in keys.Chunk(500))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await main.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
                    await main.ExecuteAsync($"DELETE FROM {Sql.Shadow} WHERE {Sql.ShadowKeyIn(batch.Select(k => k.Parts))}", cancellationToken).ConfigureAwait(false);
                    var copied = await main.ExecuteAsync(Sql.CopyKeys(batch.Select(k => k.Parts)), cancellationToken).ConfigureAwait(false);
                    if (copied.Warnings > 0)
                    {
                        await MySqlCopyWarnings.ThrowIfLossyAsync(main, duplicatesViolate: false, cancellationToken).ConfigureAwait(false);
                    }

                    if (_run.AfterApplyForTests is { } hook)
                    {
                        await hook(main, batch, cancellationToken).ConfigureAwait(false);
                    }

                    await main.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error) && attempt < 5)
                {
                    await main.ResetQuietlyAsync().ConfigureAwait(false);
                    await Task.Delay(Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await main.ResetQuietlyAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }
    }

    /// <summary><c>(id)=(42)</c>; text keys shown as text rather than as the hex literal they travel as.</summary>
    public string Describe(RowKey key)
    {
        var names = string.Join(", ", Sql.Key.Select(k => k.SourceName));
        return $"({names})=({string.Join(", ", key.Parts.Select(Readable))})";
    }

    public async ValueTask CloseAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync().ConfigureAwait(false);
            _source = null;
        }

        if (_shadow is not null)
        {
            await _shadow.DisposeAsync().ConfigureAwait(false);
            _shadow = null;
        }
    }

    private static string Readable(string literal)
    {
        // _charset X'hex' (MySqlEscaping.QuoteBytesAs) → 'text'
        var x = literal.IndexOf(" X'", StringComparison.Ordinal);
        if (literal.StartsWith('_') && x > 0 && literal.EndsWith('\''))
        {
            try
            {
                var bytes = Convert.FromHexString(literal.AsSpan(x + 3, literal.Length - x - 4));
                return "'" + Encoding.UTF8.GetString(bytes).Replace("'", "''", StringComparison.Ordinal) + "'";
            }
            catch (FormatException)
            {
                return literal;
            }
        }

        return literal;
    }

    private async Task LoadKeysAsync(MySqlSession session, IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(Sql.CreateVerifyKeys(), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync($"DELETE FROM {Sql.VerifyKeys}", cancellationToken).ConfigureAwait(false);
        var numbered = keys.Select((k, i) => (i, k.Parts));
        foreach (var batch in numbered.Chunk(1000))
        {
            await session.ExecuteAsync(Sql.InsertVerifyKeys(batch), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<KeyVerifyResult> CompareLoadedAsync(MySqlSession source, MySqlSession shadow, IReadOnlyList<RowKey> keys, HashSet<int>? pending, CancellationToken cancellationToken)
    {
        var sourceQuery = source.QueryAsync(Sql.KeyRowHashes(shadowSide: false), cancellationToken);
        var shadowQuery = ReferenceEquals(source, shadow) ? null : shadow.QueryAsync(Sql.KeyRowHashes(shadowSide: true), cancellationToken);
        var sourceRows = Hashes(await sourceQuery.ConfigureAwait(false));
        var shadowRows = Hashes(await (shadowQuery ?? shadow.QueryAsync(Sql.KeyRowHashes(shadowSide: true), cancellationToken)).ConfigureAwait(false));
        var mismatched = new List<RowKey>();
        var inFlight = new List<RowKey>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (pending?.Contains(i) == true)
            {
                inFlight.Add(keys[i]);
                continue;
            }

            var inSource = sourceRows.TryGetValue(i, out var a);
            var inShadow = shadowRows.TryGetValue(i, out var b);
            if (inSource != inShadow || (inSource && a != b))
            {
                mismatched.Add(keys[i]);
            }
        }

        return new KeyVerifyResult(keys.Count - inFlight.Count, inFlight, mismatched);
    }

    private static Dictionary<int, string> Hashes(MySqlResultSet result)
    {
        var hashes = new Dictionary<int, string>(result.Rows.Count);
        foreach (var row in result.Rows)
        {
            hashes[(int)row.GetInt64(0)] = string.Create(CultureInfo.InvariantCulture, $"{row.GetString(1)}/{row.GetString(2)}");
        }

        return hashes;
    }
}
