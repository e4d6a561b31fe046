using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Core.Backfill;

/// <summary>
/// Checks on the user's SQL fragments before any goes to the server: each must be one expression
/// (or assignment list) that cannot end the statement it is placed in. The server judges the rest
/// (columns, types, syntax) in the rolled-back sample batch.
/// </summary>
public static class BackfillInput
{
    /// <summary>Throws a <see cref="RefusalReason.BackfillRejected"/> refusal when <paramref name="text"/> has a statement separator or unbalanced parentheses outside quotes and comments.</summary>
    public static void CheckFragment(string option, string text, bool mysql)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new PreflightRefusedException(RefusalReason.BackfillRejected, $"{option} is empty.");
        }

        var tokens = mysql ? MySqlLexer.Tokenize(text) : PgLexer.Tokenize(text);
        var depth = 0;
        foreach (var token in tokens.Where(t => t.Kind == SqlTokenKind.Punctuation))
        {
            depth += token.Text switch { "(" => 1, ")" => -1, _ => 0 };
            if (token.Text == ";" || depth < 0)
            {
                throw new PreflightRefusedException(
                    RefusalReason.BackfillRejected,
                    $"{option} must be one {(option == "--set" ? "list of assignments" : "condition")} inside the batch's UPDATE; '{token.Text}' at offset {token.Offset} would end it. Nothing was changed.");
            }
        }

        if (depth != 0)
        {
            throw new PreflightRefusedException(RefusalReason.BackfillRejected, $"{option} has an unclosed parenthesis. Nothing was changed.");
        }
    }
}
