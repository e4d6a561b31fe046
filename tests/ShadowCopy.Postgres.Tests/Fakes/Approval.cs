using System.Runtime.CompilerServices;

namespace ShadowCopy.Postgres.Tests.Fakes;

/// <summary>
/// Approval files: the reviewed text lives in Approvals/&lt;name&gt;.sql. On a difference the actual
/// text is written to Approvals/&lt;name&gt;.received.sql and the test fails naming both files;
/// approve a deliberate change by reviewing the diff and renaming the received file.
/// </summary>
internal static class Approval
{
    public static void Verify(string name, string received, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.Combine(ProjectDirectory(callerFile), "Approvals");
        var approvedPath = Path.Combine(directory, name + ".sql");
        var receivedPath = Path.Combine(directory, name + ".received.sql");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, received);
        Assert.Fail(approved is null
            ? $"No approved file {approvedPath}; review {receivedPath} and rename it to approve."
            : $"SQL differs from {approvedPath}; the actual text is in {receivedPath} (diff them, and rename it if the change is intended).");
    }

    /// <summary>The test project's folder, found from this source file's path at compile time.</summary>
    private static string ProjectDirectory(string callerFile)
    {
        var directory = Path.GetDirectoryName(callerFile);
        while (directory is not null && !File.Exists(Path.Combine(directory, "ShadowCopy.Postgres.Tests.csproj")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException($"cannot find the test project above {callerFile}");
    }
}
