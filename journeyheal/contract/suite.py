"""The Great Expectations suite of the contract: generated from the schema, stored as JSON."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from journeyheal.contract.config import GateConfig
from journeyheal.contract.schema import CONTRACT_VERSION, FIELD_NAMES, FIELDS

logger = logging.getLogger(__name__)

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
SHARE_DIGITS = 6
UNIQUE_FIELD = "event_id"
GENERATOR = "journeyheal.contract.suite"


def suite_name(version: int) -> str:
    """Name of the suite of one contract version."""
    return f"journey_events_v{version}"


def suite_path(version: int, directory: Path = EXPECTATIONS_DIR) -> Path:
    """Where the suite of one contract version is stored."""
    return directory / f"{suite_name(version)}.json"


def _expectation(kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs}


def build_suite_dict(config: GateConfig | None = None) -> dict[str, Any]:
    """The suite of the current contract version, as the JSON it is stored as."""
    gate = config or GateConfig()
    expectations = [
        # An empty frame passes column expectations vacuously, so the row count comes first.
        _expectation("expect_table_row_count_to_be_between", min_value=gate.min_rows),
        _expectation(
            "expect_table_columns_to_match_set", column_set=list(FIELD_NAMES), exact_match=False
        ),
    ]
    expectations += [
        _expectation("expect_column_values_to_not_be_null", column=spec.name)
        for spec in FIELDS
        if spec.required
    ]
    expectations += [
        _expectation(
            "expect_column_values_to_be_in_set", column=spec.name, value_set=list(spec.enum)
        )
        for spec in FIELDS
        if spec.enum
    ]
    expectations += [
        _expectation(
            "expect_column_values_to_be_between",
            column=spec.name,
            min_value=spec.min,
            max_value=spec.max,
        )
        for spec in FIELDS
        if spec.min is not None or spec.max is not None
    ]
    expectations.append(_expectation("expect_column_values_to_be_unique", column=UNIQUE_FIELD))

    # Null-spike caps: at least (1 - cap) of a nullable field must be present.
    expectations += [
        _expectation(
            "expect_column_values_to_not_be_null",
            column=name,
            mostly=round(1.0 - cap, SHARE_DIGITS),
        )
        for name, cap in gate.max_null_share.items()
    ]
    return {
        "name": suite_name(CONTRACT_VERSION),
        "expectations": expectations,
        "meta": {"contract_version": CONTRACT_VERSION, "generated_by": GENERATOR},
    }


def load_suite_dict(
    version: int = CONTRACT_VERSION, directory: Path = EXPECTATIONS_DIR
) -> dict[str, Any]:
    """The stored suite of one contract version."""
    path = suite_path(version, directory)
    if not path.is_file():
        raise FileNotFoundError(f"no expectation suite for contract v{version}: {path} is missing")
    suite = json.loads(path.read_text())
    if not isinstance(suite, dict) or not isinstance(suite.get("expectations"), list):
        raise ValueError(f"{path}: not a suite (an object with an 'expectations' list)")
    return suite


def write_suite(directory: Path = EXPECTATIONS_DIR) -> Path:
    """Write the generated suite of the current version; returns its path."""
    path = suite_path(CONTRACT_VERSION, directory)
    path.write_text(json.dumps(build_suite_dict(), indent=2) + "\n")
    return path


@dataclass(frozen=True)
class ExpectationOutcome:
    """How one expectation fared."""

    type: str
    column: str | None
    success: bool
    observed: Any


@dataclass(frozen=True)
class SuiteOutcome:
    """How the whole suite fared; success only if every expectation passed."""

    success: bool
    expectations: tuple[ExpectationOutcome, ...]

    @property
    def failed(self) -> tuple[ExpectationOutcome, ...]:
        """The expectations that did not pass."""
        return tuple(outcome for outcome in self.expectations if not outcome.success)


def _observed(result: dict[str, Any]) -> Any:
    """The observed value of an expectation, or its unexpected share for column-map ones."""
    if "observed_value" in result:
        return result["observed_value"]
    return result.get("unexpected_percent")


def run_contract_suite(df: pd.DataFrame, version: int = CONTRACT_VERSION) -> SuiteOutcome:
    """Validate a frame of validated events with the stored suite of one contract version."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    stored = load_suite_dict(version)
    suite = gx.ExpectationSuite(name=stored["name"], expectations=stored["expectations"])

    # In memory, and quiet: a progress bar per hourly partition would drown the run's own log.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_pandas(name="journey_events")
    asset = source.add_dataframe_asset(name="events")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": df}
    )
    result = batch.validate(suite)

    outcomes = tuple(
        ExpectationOutcome(
            type=item.expectation_config.type,
            column=item.expectation_config.kwargs.get("column"),
            success=bool(item.success),
            observed=_observed(dict(item.result)),
        )
        for item in result.results
    )
    success = bool(result.success) and all(outcome.success for outcome in outcomes)
    logger.info(
        "contract suite v%s: success=%s, %d failed",
        version,
        success,
        sum(not o.success for o in outcomes),
    )
    return SuiteOutcome(success=success, expectations=outcomes)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    logger.info("wrote %s", write_suite())
