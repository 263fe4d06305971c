"""notify-sim from Python: start the provider stubs from a test, point clients at them, inject
faults, wait for what the stubs received, and reset between tests. Standard library only.

    from notify_sim import NotifySim, faults

    with NotifySim() as sim:
        os.environ.update(sim.env())
        with sim.add_fault(faults.ses.throttling(first=1)):
            ...
        sim.wait_for(service="ses", operation="SendEmail", timeout=5)

See docs/python.md. The pytest plugin is `notify_sim.pytest_plugin`.
"""

from . import faults
from .control import Control, FaultHandle, Firing, JournalEntry, Metrics, Sample
from .events import EventReceiver, EventWaitTimeout, SesEvent
from .errors import (BinaryNotFound, ControlApiError, JournalWaitTimeout, NotifySimError,
                     ServerStartError)
from .server import (ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, NotifySim, find_binary,
                     ses_env)

__all__ = [
    "ACCESS_KEY_ID", "BinaryNotFound", "EventReceiver", "EventWaitTimeout", "SesEvent", "Control", "ControlApiError", "FaultHandle", "Firing",
    "JournalEntry", "JournalWaitTimeout", "Metrics", "NotifySim", "NotifySimError", "REGION",
    "SECRET_ACCESS_KEY", "Sample", "ServerStartError", "faults", "find_binary", "ses_env",
]
