"""The demo data of Les Ateliers, built like Tryton's own demo package:
one file per module (``ateliers/demo/<module>.py``), each with a
``setup(config, modules, company)`` that loads the module's data with
proteus, called in dependency order on a database that
``ateliers.setup.setup_les_ateliers`` has set up."""
import importlib

from ..environment import MODULES
from ..setup import get_company


def setup(config, modules=None):
    """Load the demo data of the modules (default: all of them) for the
    company Les Ateliers."""
    if modules is None:
        modules = MODULES
    company = get_company(config=config)
    for module in modules:
        name = f'{__package__}.{module}'
        try:
            demo = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # A module without demo data
            if error.name != name:
                raise
            continue
        demo.setup(config, modules, company)
