"""The load benchmark's parts: the workload Locust sends, the bots, levels, meters, reports.

tools/loadbench.py (`make loadbench`), tools/memsoak.py and tools/soak.py are the commands
that drive them.
"""
