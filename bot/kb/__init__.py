"""Knowledge base: load `policies_kb/`, build the tokenizer dictionary (and, later, the index)."""
