using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Backfill;

/// <summary>
/// Validation of the user's SQL before anything is changed (docs/adr/0028-backfill.md): the fragment checks
/// of <see cref="BackfillInput"/>, then --where and --verify in a query that reads at most one row, then
/// --set in a sample batch that is rolled back. The server's rejection becomes a
/// <see cref="RefusalReason.BackfillRejected"/> refusal.
/// </summary>
internal static class BackfillSample
{
    /// <summary>Key positions of the sample batch that validates --set.</summary>
    public const int Rows = 100;

    /// <summary>
    /// <paramref name="probe"/> runs the query for a condition; <paramref name="sample"/> runs the rolled-back
    /// batch; <paramref name="rejection"/> describes a server's rejection (message and error code), null for
    /// any other failure (a retryable one, a lost connection), which propagates; <paramref name="afterRejection"/>
    /// runs before the refusal is thrown.
    /// </summary>
    public static async Task ValidateAsync(
        BackfillOptions options,
        bool mysql,
        Func<string, Task> probe,
        Func<Task> sample,
        Func<Exception, string?> rejection,
        Func<Task> afterRejection)
    {
        BackfillInput.CheckFragment("--set", options.Set, mysql);
        if (options.Where is { } where)
        {
            BackfillInput.CheckFragment("--where", where, mysql);
        }

        if (options.Verify is { } verify)
        {
            BackfillInput.CheckFragment("--verify", verify, mysql);
        }

        foreach (var (option, condition) in new[] { ("--where", options.Where), ("--verify", options.Verify) })
        {
            if (condition is not null)
            {
                await RejectServerErrorsAsync(option, () => probe(condition), rejection, afterRejection).ConfigureAwait(false);
            }
        }

        await RejectServerErrorsAsync("--set", sample, rejection, afterRejection).ConfigureAwait(false);
    }

    private static async Task RejectServerErrorsAsync(string option, Func<Task> run, Func<Exception, string?> rejection, Func<Task> afterRejection)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (Exception error) when (rejection(error) is { } detail)
        {
            await afterRejection().ConfigureAwait(false);
            throw new PreflightRefusedException(
                RefusalReason.BackfillRejected,
                $"The server rejected {option} in a sample that was rolled back: {detail}. Nothing was changed.",
                error);
        }
    }
}
