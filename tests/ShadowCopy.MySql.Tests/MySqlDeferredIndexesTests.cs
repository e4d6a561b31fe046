using ShadowCopy.MySql.Shadow;

namespace ShadowCopy.MySql.Tests;

public sealed class MySqlDeferredIndexesTests
{
    private const string Create = """
        CREATE TABLE `_t_new` (
          `id` int(11) NOT NULL AUTO_INCREMENT,
          `k` bigint(20) NOT NULL DEFAULT 0,
          `c` char(120) NOT NULL DEFAULT '',
          `we``ird` int(11) DEFAULT NULL,
          PRIMARY KEY (`id`),
          UNIQUE KEY `uq_c` (`c`),
          KEY `k_1` (`k`),
          KEY `odd``name` (`we``ird`,`k` DESC) COMMENT 'KEY `x` (`y`),' IGNORED,
          FULLTEXT KEY `ft` (`c`),
          CONSTRAINT `chk` CHECK (`k` >= 0)
        ) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4
        """;

    [Fact]
    public void Only_plain_keys_are_deferred_with_their_clauses_verbatim()
    {
        var found = MySqlDeferredIndexes.Parse(Create);
        Assert.Equal(
            [("k_1", "KEY `k_1` (`k`)"), ("odd`name", "KEY `odd``name` (`we``ird`,`k` DESC) COMMENT 'KEY `x` (`y`),' IGNORED")],
            found);
        Assert.Equal("ALTER TABLE `s`.`_t_new` DROP INDEX `k_1`, DROP INDEX `odd``name`", MySqlDeferredIndexes.Drop("`s`.`_t_new`", found));
        Assert.Equal(
            "ALTER TABLE `s`.`_t_new` ADD KEY `k_1` (`k`), ADD KEY `odd``name` (`we``ird`,`k` DESC) COMMENT 'KEY `x` (`y`),' IGNORED",
            MySqlDeferredIndexes.Add("`s`.`_t_new`", found));
    }

    /// <summary>MySQL 8's SHOW CREATE TABLE spellings of an invisible and a functional index (issue 16): re-added as written.</summary>
    [Fact]
    public void MySql8_invisible_and_functional_indexes_are_carried_verbatim()
    {
        const string MySql8 = """
            CREATE TABLE `_t_new` (
              `id` int NOT NULL,
              `email` varchar(100) DEFAULT NULL,
              PRIMARY KEY (`id`),
              KEY `idx_hidden` (`email`) /*!80000 INVISIBLE */,
              KEY `idx_lower` ((lower(`email`)))
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci
            """;
        Assert.Equal(
            "ALTER TABLE `s`.`_t_new` ADD KEY `idx_hidden` (`email`) /*!80000 INVISIBLE */, ADD KEY `idx_lower` ((lower(`email`)))",
            MySqlDeferredIndexes.Add("`s`.`_t_new`", MySqlDeferredIndexes.Parse(MySql8)));
    }

    [Fact]
    public void A_table_with_a_foreign_key_keeps_every_index()
    {
        var withForeignKey = Create.Replace(
            "  CONSTRAINT `chk` CHECK (`k` >= 0)",
            "  CONSTRAINT `fk` FOREIGN KEY (`k`) REFERENCES `p` (`id`)",
            StringComparison.Ordinal);
        Assert.Empty(MySqlDeferredIndexes.Parse(withForeignKey));
    }
}
