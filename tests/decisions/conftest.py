from tests.containment.conftest import mistake, ownup

__all__ = ["mistake", "ownup"]
