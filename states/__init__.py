"""The programme definitions shipped with lifecycle: one YAML file per programme."""
