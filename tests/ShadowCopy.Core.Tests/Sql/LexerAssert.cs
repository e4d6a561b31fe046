using System.Text;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Core.Tests.Sql;

/// <summary>Properties every tokenizer over <see cref="SqlScanner"/> must have, whatever the dialect.</summary>
internal static class LexerAssert
{
    /// <summary>Join gives back the input; tokens are non-empty, in order, and cover it without gaps.</summary>
    public static void RoundTrips(Func<string, IReadOnlyList<SqlToken>> tokenize, string sql)
    {
        var tokens = tokenize(sql);
        Assert.Equal(sql, PgLexer.Join(tokens));
        var offset = 0;
        foreach (var token in tokens)
        {
            Assert.NotEqual(0, token.Text.Length);
            Assert.Equal(offset, token.Offset);
            Assert.Equal(sql.Substring(offset, token.Text.Length), token.Text);
            offset += token.Text.Length;
        }

        Assert.Equal(sql.Length, offset);
    }

    /// <summary>Random strings over <paramref name="alphabet"/> (quotes, comment openers, escapes) round-trip and never throw.</summary>
    public static void RandomInputsRoundTrip(Func<string, IReadOnlyList<SqlToken>> tokenize, string alphabet, int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < 5000; n++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 40);
            for (var i = 0; i < length; i++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            RoundTrips(tokenize, builder.ToString());
        }
    }

    /// <summary>Random bytes read as UTF-8, Latin-1 and wide characters round-trip and never throw.</summary>
    public static void ByteGarbageRoundTrips(Func<string, IReadOnlyList<SqlToken>> tokenize, int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < 2000; n++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            foreach (var sql in new[] { Encoding.UTF8.GetString(bytes), Encoding.Latin1.GetString(bytes), new string(bytes.Select(b => (char)(b | (b << 8))).ToArray()) })
            {
                RoundTrips(tokenize, sql);
            }
        }
    }

    /// <summary>The first token of <paramref name="sql"/> has <paramref name="kind"/> and exactly <paramref name="text"/>.</summary>
    public static void FirstToken(Func<string, IReadOnlyList<SqlToken>> tokenize, string sql, SqlTokenKind kind, string text)
    {
        var first = tokenize(sql)[0];
        Assert.Equal((kind, text), (first.Kind, first.Text));
    }
}
