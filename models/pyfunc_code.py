"""MLflow models-from-code entry: logged as the model's code, so nothing is pickled.

MLflow executes this file when it loads the model; nothing else should import it.
"""

import mlflow.models

from models.pyfunc import FrictionPyfunc

mlflow.models.set_model(FrictionPyfunc())
