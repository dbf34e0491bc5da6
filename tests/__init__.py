from . import test_run_robustness
