# The notify_sim package lives beside this folder; the suite needs no installation.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytest_plugins = ["notify_sim.pytest_plugin"]
