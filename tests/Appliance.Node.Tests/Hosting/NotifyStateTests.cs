using Appliance.Node.Hosting.Systemd;

namespace Appliance.Tests.Hosting;

/// <summary>What the node tells systemd as its readiness changes (the pure part of the notifier).</summary>
public sealed class NotifyStateTests
{
    [Fact]
    public void Readiness_ReadyIsSentOnceWhenTheReasonsAreGone_StatusOnlyOnChange()
    {
        var state = new NotifyState();

        Assert.Equal("STATUS=not ready: no configuration applied yet", state.OnReadiness(["no configuration applied yet"]));
        Assert.Null(state.OnReadiness(["no configuration applied yet"]));
        Assert.Equal("STATUS=not ready: state sync not finished", state.OnReadiness(["state sync not finished"]));
        Assert.False(state.ReadySent);

        Assert.Equal("READY=1\nSTATUS=ready", state.OnReadiness([]));
        Assert.True(state.ReadySent);
        Assert.Null(state.OnReadiness([]));

        // Losing readiness later is shown, but READY=1 is never repeated by polling.
        Assert.Equal("STATUS=not ready: shutting down", state.OnReadiness(["shutting down"]));
        Assert.Equal("STATUS=ready", state.OnReadiness([]));
    }

    [Fact]
    public void Reload_BeforeReady_SaysNothing()
    {
        var state = new NotifyState();
        state.OnReadiness(["starting: client listeners not bound yet"]);

        Assert.Null(state.OnReloadStarting("SIGHUP", 123));
        Assert.Null(state.OnReloadFinished(applied: true, revision: 2, problems: 0));
        Assert.False(state.ReadySent);
    }

    [Fact]
    public void Reload_AfterReady_IsBracketedByReloadingAndReady_OutcomeStaysInStatus()
    {
        var state = new NotifyState();
        state.OnReadiness([]);

        Assert.Equal("RELOADING=1\nMONOTONIC_USEC=123456\nSTATUS=ready; reloading the configuration (SIGHUP)", state.OnReloadStarting("SIGHUP", 123456));
        Assert.Equal("READY=1\nSTATUS=ready; configuration revision 2 applied", state.OnReloadFinished(applied: true, revision: 2, problems: 0));
        Assert.Null(state.OnReadiness([]));

        state.OnReloadStarting("file change", 200000);
        Assert.Equal("READY=1\nSTATUS=ready; last reload refused (3 problem(s)), revision 2 keeps serving", state.OnReloadFinished(applied: false, revision: 2, problems: 3));
    }

    [Fact]
    public void Status_NewlinesInReasons_DoNotStartNewAssignments()
    {
        var state = new NotifyState();

        var message = state.OnReadiness(["line one\nREADY=1", "two"]);

        Assert.Equal("STATUS=not ready: line one READY=1; two", message);
        Assert.DoesNotContain('\n', message!);
    }

    [Fact]
    public void Stopping_SaysStopping()
    {
        Assert.StartsWith("STOPPING=1\n", NotifyState.OnStopping(), StringComparison.Ordinal);
    }
}
