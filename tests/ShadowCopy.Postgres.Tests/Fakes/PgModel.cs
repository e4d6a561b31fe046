using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Tests.Fakes;

/// <summary>Hand-built catalog models: only the fields the code under test reads are meaningful.</summary>
internal static class PgModel
{
    public static PgColumn Column(short attnum, string name, string type, bool notNull = true, string generated = "", string? collation = null) =>
        new(attnum, name, type, notNull, generated, string.Empty, collation);

    public static PgIndex PrimaryKey(string name, params short[] columns) =>
        new(1, name, IsPrimary: true, IsUnique: true, IsValid: true, HasPredicate: false, columns, $"CREATE UNIQUE INDEX {name} ON public.t USING btree (id)", "p", name, "PRIMARY KEY (id)", false, false);

    public static PgIndex Unique(string name, params short[] columns) =>
        new(2, name, IsPrimary: false, IsUnique: true, IsValid: true, HasPredicate: false, columns, $"CREATE UNIQUE INDEX {name} ON public.t USING btree (x)", null, null, null, false, false);

    public static PgIndex Index(string name, string definition, bool unique = false, string? constraintType = null, string? constraintName = null, string? constraintDefinition = null, bool valid = true) =>
        new(3, name, IsPrimary: constraintType == "p", IsUnique: unique, IsValid: valid, HasPredicate: false, [1], definition, constraintType, constraintName, constraintDefinition, false, false);

    public static PgTable Table(string name, IReadOnlyList<PgColumn> columns, IReadOnlyList<PgIndex> indexes, string schema = "public", IReadOnlyList<string>? relOptions = null, string? tablespace = null, string persistence = "p") =>
        new(
            Oid: 16384,
            Schema: schema,
            Name: name,
            Kind: "r",
            Persistence: persistence,
            Owner: "app",
            CanOwn: true,
            CanCreateInSchema: true,
            EstimatedRows: 1000,
            Bytes: 8192,
            RowSecurity: false,
            IsPartition: false,
            HasInheritance: false,
            RelOptions: relOptions ?? [],
            ReplicaIdentity: "d",
            Tablespace: tablespace,
            Comment: null,
            Columns: columns,
            Indexes: indexes,
            Sequences: [],
            OutgoingForeignKeys: [],
            IncomingForeignKeys: [],
            DependentViews: [],
            UserTriggers: [],
            Publications: []);
}
