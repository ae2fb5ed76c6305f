"""Everything that plugs into Rasa: the only place in ``bot/`` that imports Rasa.

- ``channels/``: input channels (REST with limits, socket.io, WeChat), named in credentials.yml;
- ``nlu/``: NLU graph components (e5 features, the intent classifier, the KB router, the input
  guard), named in config.yml;
- ``stores/``: the tracker and lock stores, named in endpoints*.yml;
- ``patches/``: changes to Rasa's internals, applied by ``patches.apply_all()`` from the entry
  point ``cli.py`` (never on import).

The logic these call lives in the rest of ``bot/``, which has no Rasa import.
"""
