using ShadowCopy.Core.Schema;

namespace ShadowCopy.MySql.External;

/// <summary>
/// A peer tool that <c>shadowcopy alter --via</c> drives (ADR 0010), with the names of the tables
/// it creates next to the original. pt-online-schema-change is told our name for its new table
/// (<c>--new-table-name</c>) so it can never collide with our own <c>_t_new</c>; gh-ost's names are
/// fixed by gh-ost (<c>_t_gho</c>, <c>_t_ghc</c>, <c>_t_del</c>; go/base/context.go).
/// </summary>
public sealed record ExternalTool(string Name, string Executable, string InstallHint, bool CutsOverItself)
{
    public static readonly ExternalTool PtOsc = new(
        "pt-osc",
        "pt-online-schema-change",
        "install Percona Toolkit (Debian/Ubuntu: apt-get install percona-toolkit)",
        CutsOverItself: false);

    public static readonly ExternalTool Ghost = new(
        "gh-ost",
        "gh-ost",
        "download a release binary from https://github.com/github/gh-ost/releases and put it on PATH",
        CutsOverItself: true);

    public static ExternalTool? Find(string name) => name switch
    {
        "pt-osc" => PtOsc,
        "gh-ost" => Ghost,
        _ => null,
    };

    /// <summary>Our helper names with the tool's new table as the shadow and, for gh-ost, its old table.</summary>
    public HelperObjectNames NamesFor(string table)
    {
        var ours = HelperObjectNames.For(table, MySqlDialect.Instance.MaxIdentifierBytes);
        return CutsOverItself
            ? ours with { Shadow = $"_{table}_gho", Old = $"_{table}_del" }
            : ours with { Shadow = HelperObjectNames.Derive(table, "ptosc", MySqlDialect.Instance.MaxIdentifierBytes) };
    }

    /// <summary>Tables the tool creates besides its new table (gh-ost's changelog).</summary>
    public IReadOnlyList<string> OtherTables(string table) => CutsOverItself ? [$"_{table}_ghc"] : [];
}
