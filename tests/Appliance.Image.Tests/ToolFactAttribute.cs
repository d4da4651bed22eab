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

/// <summary>A test that needs Vagrant's libvirt provider: skipped with the reason when it is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VagrantLibvirtFactAttribute : FactAttribute
{
    public VagrantLibvirtFactAttribute()
    {
        // Debian's package installs the plugin as a system gem (vagrant plugin list: "system").
        const string gems = "/usr/share/rubygems-integration/all/gems";
        var installed = Tool.Find("vagrant") is not null && Directory.Exists(gems) && Directory.GetDirectories(gems, "vagrant-libvirt-*").Length > 0;
        if (!installed)
        {
            Skip = "vagrant-libvirt is not installed: apt-get install vagrant-libvirt (scripts/test.sh does) to run this test";
        }
    }
}
