// Each test starts real processes (Azurite, silos, web nodes); one at a time keeps a 2-core machine
// from starving them into timeouts.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
