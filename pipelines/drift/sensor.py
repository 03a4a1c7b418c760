"""Retrain the friction model once per episode of drift that lasted enough windows."""

from typing import TYPE_CHECKING

import dagster as dg

from journeyheal.drift.config import load_drift_config
from journeyheal.drift.episodes import episodes_to_retrain
from journeyheal.drift.state import read_history
from pipelines.resources import HomeResource

SENSOR = "retrain_on_persistent_drift"
TRAINING_JOB = "friction_training_job"
MINIMUM_INTERVAL_S = 60

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )


def build_retrain_sensor(
    job: "dg.JobDefinition | UnresolvedAssetJobDefinition | str" = TRAINING_JOB,
) -> dg.SensorDefinition:
    """The sensor for a training job given as a definition or by name."""
    target = {"job_name": job} if isinstance(job, str) else {"job": job}

    @dg.sensor(
        name=SENSOR,
        minimum_interval_seconds=MINIMUM_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Launches the training job when drift persisted for the configured number "
        "of windows; the run key is the episode's first window, so each episode retrains once.",
        **target,
    )
    def retrain_on_persistent_drift(
        context: dg.SensorEvaluationContext, home: HomeResource
    ) -> dg.SensorResult:
        persistent = load_drift_config().persistent_windows
        episodes = episodes_to_retrain(read_history(home.home), persistent)
        if not episodes:
            return dg.SensorResult(skip_reason=f"no drift lasting {persistent} windows")

        # Dagster runs a run key once per sensor, so re-reading an episode starts nothing new.
        context.log.info(f"drift episodes calling for retraining: {[e.run_key for e in episodes]}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=episode.run_key,
                    tags={
                        "journeyheal/drift_episode_start": episode.first_window.isoformat(),
                        "journeyheal/drift_episode_last": episode.last_window.isoformat(),
                        "journeyheal/drifted_windows": str(episode.drifted_windows),
                    },
                )
                for episode in episodes
            ]
        )

    return retrain_on_persistent_drift
