using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// What the differential test needs from one engine, for one case: the table under ALTER (T) and its
/// control twin (C), a writer, a real ShadowCopy run, the server's own ALTER, and ways to compare.
/// Disposing drops everything the case created.
/// </summary>
internal interface IDiffDatabase : IAsyncDisposable
{
    string Engine { get; }

    /// <summary>Qualified, quoted name of the table under ALTER.</summary>
    string Table { get; }

    /// <summary>Qualified, quoted name of the control table.</summary>
    string Control { get; }

    /// <summary>What <c>{s}</c> stands for in templates (the quoted schema; empty on MySQL).</summary>
    string Schema { get; }

    string Q(string identifier);

    /// <summary>Runs the family's prelude and creates T and C with the key and these column definitions.</summary>
    Task CreateAsync(IReadOnlyList<string> prelude, IReadOnlyList<string> columnDefinitions);

    Task<IDiffWriter> OpenWriterAsync();

    /// <summary>A real <c>shadowcopy alter … --execute</c> of T, in-process, with the given capture mode.</summary>
    Task<AlterResult> RunShadowCopyAsync(string alter, string mode, Func<AlterOptions, AlterOptions> tune, RecordingStatusSink sink, IRunHooks hooks, CancellationToken cancellationToken);

    /// <summary>The server's own ALTER of C (MySQL: ALGORITHM=COPY). Error is null when it succeeded; warnings as "Level Code Message".</summary>
    Task<(string? Error, IReadOnlyList<string> Warnings)> AlterControlAsync(string alter);

    /// <summary>Column name → definition (type, nullability, default, collation, generation), in column order.</summary>
    Task<IReadOnlyList<(string Name, string Definition)>> ShapeAsync(bool control);

    /// <summary>Order-independent checksum (count and two hash sums) over these columns, every value by its exact text or bytes.</summary>
    Task<string> ChecksumAsync(bool control, IReadOnlyList<string> columns);

    /// <summary>Key → each column's exact value (bytes as hex on MySQL, text on PostgreSQL; null for NULL) for a row-by-row comparison.</summary>
    Task<Dictionary<string, string?[]>> RowsAsync(bool control, IReadOnlyList<string> columns);

    /// <summary>A value from <see cref="RowsAsync"/> as a failure message shows it.</summary>
    string Display(string? exact);

    /// <summary>Helper objects of a run still present (triggers, shadow and state tables, slots, publications).</summary>
    Task<IReadOnlyList<string>> LeftoversAsync();
}
