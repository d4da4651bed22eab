using System.CommandLine;
using System.Text;
using Appliance.Cli.Output;
using Appliance.Management.Contracts;
using Spectre.Console;

namespace Appliance.Cli.Commands;

/// <summary><c>config validate FILE</c> and <c>config reload</c>.</summary>
internal static class ConfigCommands
{
    public static Command Create(GlobalOptions options)
    {
        var file = new Argument<FileInfo>("file") { Description = "The configuration file to check (read here, judged by the node: certificate and token paths are checked on the node's disk)." };
        var validate = new Command("validate", "Check a configuration file with the node's rules without applying it; lists every problem with its JSON path. Exit code 1 when it is not valid.")
        {
            file,
        };
        validate.SetAction(async (parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path.FullName, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return CliContext.Error($"cannot read '{path}' ({e.Message}): give the path of a configuration file.", ExitCodes.Usage);
            }

            return await cli.RunAsync(
                client => client.SendAsync(HttpMethod.Post, AdminPaths.ConfigValidate, new StringContent(text, Encoding.UTF8, "application/json"), AdminJson.Context.ValidationResult, cancel),
                r =>
                {
                    var colour = r.Valid ? "green" : "red";
                    cli.Console.MarkupLine($"[{colour}]{Markup.Escape(path.ToString())}: {Markup.Escape(r.Summary)}[/]");
                    foreach (var error in r.Errors)
                    {
                        cli.Console.MarkupLine($"  [bold]{Markup.Escape(error.Path)}[/]: {Markup.Escape(error.Message)}");
                    }

                    foreach (var warning in r.Warnings ?? [])
                    {
                        cli.Console.MarkupLine($"  [yellow]warning[/] [bold]{Markup.Escape(warning.Path)}[/]: {Markup.Escape(warning.Message)}");
                    }
                },
                r => r.Valid ? ExitCodes.Ok : ExitCodes.Refused).ConfigureAwait(false);
        });

        var reload = new Command("reload", "Make the node re-read its configuration file now, as SIGHUP does, and report the outcome: applied (with the new revision) or refused with every problem (the last good configuration keeps running).");
        reload.SetAction((parse, cancel) =>
        {
            var cli = new CliContext(parse, options);
            return cli.RunAsync(
                client => client.SendAsync(HttpMethod.Post, AdminPaths.ConfigReload, null, AdminJson.Context.ReloadResult, cancel),
                r => cli.Console.MarkupLine($"[green]reloaded[/] {Markup.Escape(r.Path)}: revision {r.Revision} applied at {Format.Time(r.AppliedAt)}"));
        });

        return new Command("config", "Check a configuration file, or reload the node's own.") { validate, reload };
    }
}
