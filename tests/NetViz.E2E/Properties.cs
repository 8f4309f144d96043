// Each test class that starts its own NetViz (exposed, unsecured, fake iptables-save) measures memory and
// capabilities of that process: one server at a time, on a 2-core machine shared with the shared app's tests.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
