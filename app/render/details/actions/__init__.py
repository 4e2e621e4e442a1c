"""Action kinds (members of ``service.action``): a module per family, each declaring ``KINDS``."""
