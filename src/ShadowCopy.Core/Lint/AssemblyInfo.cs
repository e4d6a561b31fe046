using System.Runtime.CompilerServices;

// The lint tests live in their own project; Core's csproj is shared, so the grant lives here.
[assembly: InternalsVisibleTo("ShadowCopy.Lint.Tests")]
