"""Resource kinds: a module per AWS service, each declaring ``KINDS``."""
