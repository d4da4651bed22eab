namespace Appliance.Image.Tests;

/// <summary>
/// A test that needs an external tool (packer, vagrant, systemd-analyze): skipped with the reason
/// and the package to install when it is missing. scripts/test.sh installs them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string package)
    {
        if (Tool.Find(tool) is null)
        {
            Skip = $"'{tool}' is not installed: apt-get install {package} (scripts/test.sh does) to run this test";
        }
    }
}
