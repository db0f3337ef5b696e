from .credit_notes import *  # noqa: F403
from .editor import *  # noqa: F403
from .invoices import *  # noqa: F403
from .payments import *  # noqa: F403
