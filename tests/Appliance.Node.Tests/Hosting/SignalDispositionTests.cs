using Appliance.Node.Hosting;

namespace Appliance.Tests.Hosting;

public sealed class SignalDispositionTests
{
    [Theory]
    [InlineData("SigIgn:\t0000000000001001\n", true)]   // nohup: SIGHUP and SIGPIPE ignored
    [InlineData("SigIgn:\t0000000000001000\n", false)]  // SIGPIPE only, as .NET sets it
    [InlineData("SigIgn:\t0000000000000006\n", false)]  // a shell's background job: SIGINT and SIGQUIT
    [InlineData("Name:\tapplianced\nSigQ:\t0/1\nSigIgn:\t0000000000000001\nSigCgt:\t0\n", true)]
    [InlineData("Name:\tapplianced\n", false)]
    public void SigHup_IsReadFromTheIgnoreMask(string status, bool ignored) =>
        Assert.Equal(ignored, SignalDisposition.IsIgnored(status, SignalDisposition.SigHup));
}
