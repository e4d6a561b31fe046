using ShadowCopy.Lint.Rules;

namespace ShadowCopy.Lint;

/// <summary>The registry of rules, in the order findings for one statement are reported.</summary>
internal static class LintRules
{
    private static readonly LintDialect[] Every = [LintDialect.Postgres, LintDialect.MySql, LintDialect.MariaDb];

    public static IReadOnlyList<ILintRule> All { get; } =
    [
        new DropDatabaseRule(),
        new DropTableRule(),
        new DropColumnRule(),
        new DropColumnNotInstantRule(),
        new RenameTableRule(),
        new RenameColumnRule(),
        new AddNotNullColumnWithoutDefaultRule(),
        new AddColumnDefaultRewriteRule(),
        new AddSerialColumnRule(),
        new AddAutoIncrementColumnRule(),
        new AddStoredGeneratedColumnRule(),
        new AddColumnNotInstantRule(),
        new ChangeColumnTypeRule(),
        new SetNotNullRule(),
        new DropNotNullRule(),
        new AddForeignKeyRule(),
        new AddCheckConstraintRule(),
        new AddUniqueConstraintRule(),
        new AddPrimaryKeyRule(),
        new DropPrimaryKeyRule(),
        new AddExclusionConstraintRule(),
        new CreateIndexNonConcurrentRule(),
        new DropIndexNonConcurrentRule(),
        new ConcurrentInTransactionRule(),
        new PreferRobustStatementsRule(),
        new ReindexNonConcurrentRule(),
        new AddFulltextOrSpatialIndexRule(),
        new ConvertCharsetRule(),
        new TableRebuildRule(),
        new TableRewriteOptionRule(),
        new AlgorithmCopyOrLockRule(),
        new RequireAlgorithmLockRule(),
        new VacuumFullClusterRule(),
        new RefreshMaterializedViewRule(),
        new TruncateCascadeRule(),
        new UnbatchedBackfillRule(),
        new BackfillInDdlTransactionRule(),
        new EnumAddValueInTransactionRule(),
        new DomainConstraintRule(),
        new TransactionNestingRule(),
        new UnclosedTransactionRule(),
        new ExpandAndContractTogetherRule(),
        new DataAndSchemaChangeRule(),
        new RequireLockTimeoutRule(),
        new PreferBigintRule(),
        new PreferTextRule(),
        new PreferTimestamptzRule(),
        new BanCharTypeRule(),
        new PreferIdentityRule(),
        new PreferJsonbRule(),
    ];

    public static LintRuleInfo SuppressionWithoutReason { get; } = new(
        "suppression-without-reason", LintSeverity.Warning, "Inline suppression without a reason", "none", TableEffect.None,
        "Write why the finding is acceptable: -- shadowcopy:ignore RULE-ID the table has 40 rows", Every);

    public static LintRuleInfo Unterminated { get; } = new(
        "unterminated-token", LintSeverity.Error, "Unterminated string, quoted identifier or comment", "none", TableEffect.None,
        "Close the quote or comment; everything after it was swallowed and not checked.", Every);

    public static IReadOnlyList<LintRuleInfo> Meta { get; } = [SuppressionWithoutReason, Unterminated];
}
