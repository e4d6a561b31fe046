using System.Runtime.CompilerServices;

// The lint/emit/plan command tests live in ShadowCopy.Lint.Tests; the Cli csproj is shared, so the grant lives here.
[assembly: InternalsVisibleTo("ShadowCopy.Lint.Tests")]
