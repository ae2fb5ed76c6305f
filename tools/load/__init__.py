"""Load benchmark workload (tools/loadbench.py drives it with Locust)."""
