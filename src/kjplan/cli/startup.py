"""Start-up settings of the kjplan process, applied when the CLI is imported, before anything else.

pydantic looks for plugins (the `pydantic` entry-point group) the first time it builds a validator, and
its plugin loader imports importlib.metadata to do so: together a tenth of add-progress's time, spent on
every command, for plugins that kjplan never uses (typer itself builds its option adapters with plugins
disabled). The kjplan process therefore has none: the loader's module is replaced by one whose
get_plugins() returns no plugins. Anything else asked of that module is taken from pydantic's own, so a
pydantic that uses more of it keeps working. Only the command-line process does this; a program that
imports kjplan as a library keeps its pydantic plugins.
"""

from __future__ import annotations

import sys
import types

LOADER = "pydantic.plugin._loader"


def _real_loader():
    """pydantic's own plugin loader module, loaded under a private name."""
    import importlib.machinery
    import importlib.util

    import pydantic.plugin

    spec = importlib.machinery.PathFinder.find_spec(LOADER, pydantic.plugin.__path__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def disable_pydantic_plugins() -> None:
    if LOADER in sys.modules:
        return  # pydantic has already looked (kjplan imported by a program that used pydantic first)
    stub = types.ModuleType(LOADER, "kjplan: pydantic plugins are not loaded in the kjplan command")

    def get_plugins():
        return ()

    def __getattr__(name):
        if name.startswith("__"):  # the import system asks for __path__ and the like: a plain module
            raise AttributeError(name)
        return getattr(_real_loader(), name)

    stub.get_plugins = get_plugins
    stub.__getattr__ = __getattr__
    sys.modules[LOADER] = stub


disable_pydantic_plugins()
