using System.Globalization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>MariaDB GTID position "domain-server-seq,..." with one GTID per replication domain (gtid_slave_pos style).</summary>
internal sealed class MariaDbGtidState
{
    private readonly SortedDictionary<uint, (uint ServerId, ulong Sequence)> _domains = [];

    public static MariaDbGtidState Parse(string text)
    {
        var state = new MariaDbGtidState();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('-');
            if (pieces.Length != 3
                || !uint.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out var domain)
                || !uint.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var server)
                || !ulong.TryParse(pieces[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                throw new FormatException($"Invalid MariaDB GTID '{part}'.");
            }

            state.Set(domain, server, sequence);
        }

        return state;
    }

    public void Set(uint domain, uint serverId, ulong sequence) => _domains[domain] = (serverId, sequence);

    public override string ToString() =>
        string.Join(",", _domains.Select(static d => string.Create(CultureInfo.InvariantCulture, $"{d.Key}-{d.Value.ServerId}-{d.Value.Sequence}")));
}
