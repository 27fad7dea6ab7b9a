"""``python -m headroom.cli``: the same as the ``headroom`` script."""

from headroom.cli.main import main

main()
