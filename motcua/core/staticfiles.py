"""Static files for `make demo` (runserver, DEBUG): compressed like in production, yet
live while a developer edits CSS/JS.

WhiteNoise in DEBUG serves files straight from the source directories (finders), which
have no brotli/gzip siblings, so a phone on the demo downloaded every byte uncompressed.
`make setup` runs `collectstatic` (WhiteNoise's compressing storage writes `.br`/`.gz`
next to each file in STATIC_ROOT); this middleware serves that collected copy, with its
compressed variants, whenever it is at least as new as the source file, and the source
file otherwise (an edited stylesheet shows on the next reload, uncompressed until the
next `collectstatic`). Outside DEBUG it is plain WhiteNoise (STATIC_ROOT only).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.contrib.staticfiles import finders
from whitenoise.middleware import WhiteNoiseMiddleware


class DemoStaticFilesMiddleware(WhiteNoiseMiddleware):
    def candidate_paths_for_url(self, url: str) -> Iterator[str]:
        if self.use_finders and self.static_root and url.startswith(self.static_prefix):
            name = url[len(self.static_prefix) :]
            root = os.path.abspath(self.static_root)
            collected = os.path.join(root, name)
            source = finders.find(name)
            if (
                isinstance(source, str)
                and self.path_is_child_of(collected, root + os.sep)
                and os.path.isfile(collected)
                and os.path.getmtime(collected) >= os.path.getmtime(source)
            ):
                yield collected
                return
        yield from super().candidate_paths_for_url(url)
