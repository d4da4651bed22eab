using Appliance.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
