"""The friction model: training, evaluation, behavioural checks, MLflow registry, scoring."""
