# Sourced by the scripts: quiet, offline-friendly defaults for Rasa and TensorFlow.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=3
export PYTHONWARNINGS=ignore
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
