namespace ShadowCopy.Lint;

/// <summary>
/// One lint rule (the seam DESIGN.md names). A rule looks at one statement with the file's
/// state so far (open transaction, lock timeout set, tables created earlier in the file) and
/// reports hits; the <see cref="Linter"/> turns hits into findings, applies suppressions and
/// configuration.
/// </summary>
internal interface ILintRule
{
    LintRuleInfo Info { get; }

    IEnumerable<RuleHit> Check(LintStatement statement, LintContext context);
}
