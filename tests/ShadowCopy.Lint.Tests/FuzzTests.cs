using System.Diagnostics;
using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests;

/// <summary>
/// Seeded fuzzing: random bytes, random SQL-ish characters and mutated corpus statements must
/// never make the linter throw or run long. Seeds are fixed so a failure reproduces.
/// </summary>
public sealed class FuzzTests
{
    // Generous because the build machine is shared (2 cores): a hang or quadratic blow-up on
    // inputs of a few hundred characters still shows, scheduling noise does not.
    private static readonly TimeSpan PerInputCap = TimeSpan.FromSeconds(10);
    private const string SqlAlphabet = "abcdeALTERTABLEADDCOLUMNDROPINDEX ()'\"`$;,.-/*#\\\n\t=0123456789_!EeNOTVALID";

    [Theory]
    [InlineData("postgres", 1)]
    [InlineData("mysql", 2)]
    [InlineData("mariadb", 3)]
    public void Lint_randomBytes_neverThrowsOrHangs(string engine, int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < 400; n++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            Check(System.Text.Encoding.UTF8.GetString(bytes), engine);
            Check(new string(bytes.Select(b => (char)b).ToArray()), engine);
        }
    }

    [Theory]
    [InlineData("postgres", 11)]
    [InlineData("mysql", 12)]
    [InlineData("mariadb", 13)]
    public void Lint_sqlAlphabetNoise_neverThrowsOrHangs(string engine, int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < 400; n++)
        {
            var chars = new char[random.Next(0, 400)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = SqlAlphabet[random.Next(SqlAlphabet.Length)];
            }

            Check(new string(chars), engine);
        }
    }

    [Theory]
    [InlineData("postgres", 21)]
    [InlineData("mysql", 22)]
    [InlineData("mariadb", 23)]
    public void Lint_mutatedCorpus_neverThrowsOrHangs(string engine, int seed)
    {
        var random = new Random(seed);
        var corpus = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", engine), "*.sql").Select(File.ReadAllText).ToList();
        for (var n = 0; n < 300; n++)
        {
            var text = corpus[random.Next(corpus.Count)].ToCharArray().ToList();
            var edits = random.Next(1, 20);
            for (var e = 0; e < edits && text.Count > 0; e++)
            {
                var at = random.Next(text.Count);
                switch (random.Next(4))
                {
                    case 0:
                        text.RemoveAt(at);
                        break;
                    case 1:
                        text.Insert(at, SqlAlphabet[random.Next(SqlAlphabet.Length)]);
                        break;
                    case 2:
                        text[at] = (char)random.Next(0, 0xFFFF);
                        break;
                    default:
                        // Truncation leaves constructs open, the classic tokenizer trap.
                        text.RemoveRange(at, text.Count - at);
                        break;
                }
            }

            Check(new string([.. text]), engine);
        }
    }

    private static void Check(string sql, string engine)
    {
        var task = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var findings = LintHelper.Lint(sql, engine, engine == "postgres" ? "15" : engine == "mysql" ? "8.0.35" : "10.11");
            return (findings, clock.Elapsed);
        });
        Assert.True(task.Wait(PerInputCap), $"lint took longer than {PerInputCap} on input: {Escape(sql)}");
        Assert.True(task.Result.Elapsed < PerInputCap, $"lint took {task.Result.Elapsed} on input: {Escape(sql)}");
        Assert.All(task.Result.findings, f => Assert.True(f.Line >= 1 && f.Column >= 1));
    }

    private static string Escape(string s) => string.Concat(s.Take(300).Select(c => c < 32 || c > 126 ? $"\\u{(int)c:x4}" : c.ToString()));
}
