"""Parties reach caseflow themselves (parties.md): online filing, the public status code,
consent to electronic service, electronic and paper service of notices, the party's own page."""
