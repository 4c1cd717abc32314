"""Where the book lives. Written by `make retarget` (scripts/retarget.py) from
_config.yml; do not edit by hand.

The setting is three keys of _config.yml: ``repository.url`` (the git repository),
``repository.branch`` (the release tag the notebooks and these helpers come from) and
``html.baseurl`` (the published site). Every badge, install cell, data URL and
cross-link of the book is derived from them; tests/test_home.py fails on any other copy.
"""

REPOSITORY = "https://github.com/medimg-book/dl-medical-imaging"
REF = "v0.3.0"
SITE_URL = "https://medimg-book.github.io/dl-medical-imaging/"
RAW_URL = "https://raw.githubusercontent.com/medimg-book/dl-medical-imaging/v0.3.0"
