"""Payment provider plugins. See providers.base for the contract and the registry."""
