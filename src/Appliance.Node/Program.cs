using System.CommandLine;
using Appliance.Node.Demo;
using Appliance.Node.Hosting;

var config = new Option<string>("--config", "-c")
{
    Description = "Path of the JSON configuration file (e.g. /etc/appliance/appliance.json).",
    Required = true,
};

var run = new Command("run", "Run a balancer node from a configuration file. Reloads the file when it changes and on SIGHUP; a bad file is reported and the running configuration kept.")
{
    config,
};
run.SetAction((parse, cancel) => RunCommand.RunAsync(parse.GetValue(config)!, cancel));

var validateConfig = new Option<string>("--config", "-c") { Description = "Path of the JSON configuration file to check.", Required = true };
var validate = new Command("validate", "Check a configuration file and list every problem, without serving. Exit code 0 when valid, 2 when not.")
{
    validateConfig,
};
validate.SetAction((parse, _) => RunCommand.ValidateAsync(parse.GetValue(validateConfig)!));

var port = new Option<int>("--port", "-p") { Description = "Port of the demo's first balancer node on 127.0.0.1 (the others take the next two).", DefaultValueFactory = _ => 8080 };
var adminPort = new Option<int>("--admin-port") { Description = "Port of the first node's admin API and dashboard on 127.0.0.1 (the others take the next two).", DefaultValueFactory = _ => 9900 };
var demo = new Command("demo", "Run a self-contained demo on loopback: three demo backends and three balancer nodes in one cluster sharing sticky sessions, with the admin API and dashboard; no root and no files needed. Prints the URLs to try; Ctrl-C stops it.")
{
    port,
    adminPort,
};
demo.SetAction((parse, cancel) => DemoCommand.RunAsync(parse.GetValue(port), parse.GetValue(adminPort), cancel));

var root = new RootCommand("applianced: the clustered load-balancer appliance daemon (HTTP on YARP and Kestrel).")
{
    run,
    validate,
    demo,
};

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
