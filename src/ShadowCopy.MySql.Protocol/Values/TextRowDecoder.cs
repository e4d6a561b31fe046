using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Splits ProtocolText::ResultsetRow payloads into fields (one copy and one offset array per row).</summary>
internal sealed class TextRowDecoder
{
    private readonly MySqlColumn[] _columns;
    private readonly Encoding?[] _encodings;

    public TextRowDecoder(MySqlColumn[] columns)
    {
        _columns = columns;
        _encodings = new Encoding?[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            // Strings arrive in character_set_results (utf8mb4, set by the handshake); unknown ids fall back to UTF-8.
            _encodings[i] = CharacterSets.TryGetEncoding(columns[i].CollationId) ?? CharacterSets.Utf8;
        }
    }

    public MySqlRow Decode(ReadOnlySpan<byte> payload)
    {
        var offsets = new int[_columns.Length * 2];
        var reader = new PacketReader(payload);
        for (var i = 0; i < _columns.Length; i++)
        {
            if (reader.TryReadLengthEncodedNullable(out var value))
            {
                offsets[i * 2] = reader.Offset - value.Length;
                offsets[(i * 2) + 1] = value.Length;
            }
            else
            {
                offsets[(i * 2) + 1] = -1;
            }
        }

        if (!reader.IsAtEnd)
        {
            throw new FormatException($"Text row has {reader.Remaining} bytes after its {_columns.Length} columns.");
        }

        return new MySqlRow(_columns, _encodings, payload.ToArray(), offsets);
    }
}
