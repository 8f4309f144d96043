// Minimal entry point for the render benchmark; the bench branch's Program.cs replaces this one.
using NetViz.Bench;

return args.FirstOrDefault() switch
{
    "render" => await RenderBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: NetViz.Bench render [--runs N] [--containers N] [--namespaces N] [--scenario all|containers|namespaces] [--app-dir DIR] [--out FILE]");
    return 64;
}
