"""Process layouts of the assistant: the embedded one-machine profile and the prod profile."""
