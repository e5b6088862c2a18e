"""What every service shares: settings, Kafka plumbing, dead letters, metrics, logs."""
