"""Every model module, imported once so that Alembic and the app see the whole schema.

Each area adds its own line; the order does not matter.
"""

from caseflow import nonces, sequences  # noqa: F401
from caseflow.accounts import models as accounts_models  # noqa: F401
from caseflow.alerts import models as alerts_models  # noqa: F401
from caseflow.applicants import models as applicants_models  # noqa: F401
from caseflow.calendar import models as calendar_models  # noqa: F401
from caseflow.cases import evidence as evidence_models  # noqa: F401
from caseflow.cases import models as cases_models  # noqa: F401
from caseflow.clocks import models as clocks_models  # noqa: F401
from caseflow.credit import models as credit_models  # noqa: F401
from caseflow.fairs import models as fairs_models  # noqa: F401
from caseflow.notices import models as notices_models  # noqa: F401
from caseflow.parties import models as parties_models  # noqa: F401
from caseflow.supervision import models as supervision_models  # noqa: F401
from caseflow.supervision import tallies as supervision_tallies  # noqa: F401
