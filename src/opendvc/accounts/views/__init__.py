"""Pages of the accounts app, one module per flow. Views parse, call a service, render; nothing else."""
