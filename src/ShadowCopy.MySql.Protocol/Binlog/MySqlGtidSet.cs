using System.Globalization;
using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>MySQL GTID set "uuid:1-5:7,uuid2:1-3": executed transactions per source, as closed intervals.</summary>
internal sealed class MySqlGtidSet
{
    private readonly SortedDictionary<Guid, List<(long Start, long End)>> _intervals = [];

    public static MySqlGtidSet Parse(string text)
    {
        var set = new MySqlGtidSet();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(':');
            if (pieces.Length < 2 || !Guid.TryParse(pieces[0], out var sid))
            {
                throw new FormatException($"Invalid GTID set element '{part}'.");
            }

            foreach (var range in pieces.Skip(1))
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                var start = long.Parse(dash < 0 ? range : range[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
                var end = dash < 0 ? start : long.Parse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
                if (start < 1 || end < start)
                {
                    throw new FormatException($"Invalid GTID interval '{range}'.");
                }

                set.AddInterval(sid, start, end);
            }
        }

        return set;
    }

    public void Add(Guid sid, long gno) => AddInterval(sid, gno, gno);

    /// <summary>Wire form for COM_BINLOG_DUMP_GTID: n_sids(8), then per sid uuid(16), n_intervals(8), [start, end+1) pairs.</summary>
    public void Encode(PacketWriter writer)
    {
        writer.WriteUInt64((ulong)_intervals.Count);
        Span<byte> uuid = stackalloc byte[16];
        foreach (var (sid, intervals) in _intervals)
        {
            sid.TryWriteBytes(uuid, bigEndian: true, out _);
            writer.WriteBytes(uuid);
            writer.WriteUInt64((ulong)intervals.Count);
            foreach (var (start, end) in intervals)
            {
                writer.WriteUInt64((ulong)start);
                writer.WriteUInt64((ulong)end + 1);
            }
        }
    }

    public int EncodedLength => 8 + _intervals.Sum(static p => 16 + 8 + (p.Value.Count * 16));

    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var (sid, intervals) in _intervals)
        {
            builder.Append(builder.Length == 0 ? string.Empty : ",").Append(sid.ToString("D"));
            foreach (var (start, end) in intervals)
            {
                builder.Append(start == end ? string.Create(CultureInfo.InvariantCulture, $":{start}") : string.Create(CultureInfo.InvariantCulture, $":{start}-{end}"));
            }
        }

        return builder.ToString();
    }

    private void AddInterval(Guid sid, long start, long end)
    {
        if (!_intervals.TryGetValue(sid, out var list))
        {
            _intervals[sid] = list = [];
        }

        list.Add((start, end));
        list.Sort();
        var merged = new List<(long Start, long End)>();
        foreach (var interval in list)
        {
            if (merged.Count > 0 && interval.Start <= merged[^1].End + 1)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, interval.End));
            }
            else
            {
                merged.Add(interval);
            }
        }

        _intervals[sid] = merged;
    }
}
