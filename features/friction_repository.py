"""Feast definitions of journeyheal for `feast -c features plan|apply`, built from the catalog.

Feast collects the module-level objects below; they are built for the home named by
JOURNEYHEAL_HOME, exactly as journeyheal.featurestore builds them for any home in code.
"""

from journeyheal.featurestore.definitions import build_repository
from journeyheal.home import Home

_repository = build_repository(Home.from_env())

journey = _repository.entities["journey"]
customer = _repository.entities["customer"]
service = _repository.entities["service"]
endpoint = _repository.entities["endpoint"]
journey_type = _repository.entities["journey_type"]
step = _repository.entities["step"]

journey_prefix = _repository.views["journey_prefix"]
service_health = _repository.views["service_health"]
step_friction = _repository.views["step_friction"]
customer_history = _repository.views["customer_history"]

friction_model_v1 = _repository.feature_service
