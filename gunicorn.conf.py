"""gunicorn settings read from the working directory (``gunicorn wsgi:app`` picks this file up).

The ``Server`` header names no software or version (ASVS 14.3.3): gunicorn writes its name into
every response's headers; caseflow's says only what it is.
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "caseflow"

# Imports are bounded (caseflow.fairs.importing), so no request needs the default 30 s.
timeout = 30
