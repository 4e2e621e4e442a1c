"""The rest of the finding (``service.*``): malware scans, runtime, threat intel, attack
sequences, anomalies, additional info; a module each, declaring ``KINDS``."""
