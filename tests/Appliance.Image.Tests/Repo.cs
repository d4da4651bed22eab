namespace Appliance.Image.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repo
{
    public static readonly string Root = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Appliance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Appliance.sln above {AppContext.BaseDirectory}");
    }
}
